"""A visitor's request, a client's booking and the therapist's week — in Chromium.
Screenshots: test-artifacts/browser/practice-*.png (phone and desktop)."""

from __future__ import annotations

import time as _time
from datetime import time
from typing import Any

import pytest
from django.core import mail

from conftest import connect, make_therapist_user, make_user
from individuate.practice import actions
from individuate.practice.models import Appointment, ContactRequest, WeeklyHours
from individuate.testing.browser import ARTIFACTS, browser, check_crisis_link, clear_screenshots, log_in, playwright


@pytest.mark.browser
def test_visitor_request_client_booking_and_the_week(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    clear_screenshots("practice-")
    therapist = make_therapist_user("week.therapist@example.com", "Dr. Week")
    profile = actions.profile_of(therapist)
    profile.time_zone, profile.min_notice_hours = "Europe/Berlin", 0
    profile.save()
    for day in range(7):
        WeeklyHours.objects.create(therapist=therapist, weekday=day, start=time(8, 0), end=time(20, 0))
    client = make_user("booker@example.com", "Booker", time_zone="Asia/Kolkata")
    connect(therapist, client)

    with browser(sync_playwright, expect) as new_context:
        page = new_context().new_page()

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"practice-{name}.png"), full_page=True)

        # A visitor, no account, sends a request from the public page.
        page.goto(f"{live_server.url}/t/{profile.slug}/")
        expect(page.get_by_role("heading", name="Request an appointment")).to_be_visible()
        check_crisis_link(page, expect)
        expect(page.get_by_label("Leave this empty")).not_to_be_in_viewport()
        page.get_by_label("Your name").fill("Vera Visitor")
        page.get_by_label("Your e-mail address").fill("vera@example.com")
        page.get_by_label("A short message").fill("I would like to talk about my son.")
        _time.sleep(3.2)  # the form refuses instant (robot) submissions
        page.get_by_role("button", name="Send request").click()
        expect(page.locator(".messages")).to_contain_text("Thank you")
        assert ContactRequest.objects.get().email == "vera@example.com"
        shot("01-public")

        # A connected client books a slot, shown in their own time zone.
        log_in(page, expect, live_server.url, client.email)
        page.goto(f"{live_server.url}/book/{therapist.pk}/")
        expect(page.locator("main")).to_contain_text("your time zone: Asia/Kolkata")
        first = page.locator("main form button").first
        label = first.inner_text()
        shot("02-slots")
        mail.outbox.clear()
        first.click()
        expect(page.locator(".messages")).to_contain_text("Requested")
        appointment = Appointment.objects.get(client=client)
        assert appointment.start.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Kolkata")).strftime("%H:%M") == label
        assert {m.to[0] for m in mail.outbox} == {client.email, therapist.email}

        # The therapist confirms from the week view (phone and desktop).
        actions.confirm(therapist, appointment.pk)
        assert Appointment.objects.get(pk=appointment.pk).status == "confirmed"
        page.goto(f"{live_server.url}/appointments/")
        expect(page.locator("main")).to_contain_text("Confirmed")
        shot("03-appointments")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
