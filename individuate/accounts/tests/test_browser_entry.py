"""Getting in and not losing things by one click — in Chromium, on a phone and a desktop.

Screenshots land in ``test-artifacts/browser/entry-*.png``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import connect, make_therapist_user, make_user
from individuate.accounts.models import TherapistProfile
from individuate.boundaries.models import TherapistConnection, TrackedPerson
from individuate.checkins.models import JournalEntry
from individuate.practice.models import Appointment
from individuate.testing.browser import ARTIFACTS, browser, clear_screenshots, log_in, playwright

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.mark.browser
def test_professional_applies_and_a_client_is_asked_before_anything_is_lost(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    clear_screenshots("entry-")
    applicant = make_user("sam.browser@example.com", "Sam")
    alice = make_user("alice.entry@example.com", "Alice")
    TrackedPerson.objects.create(owner=alice, name="my mother", role="parent")
    therapist = make_therapist_user("dr.entry@example.com", "Dr. Entry")
    connection = connect(therapist, alice, ("measures",))
    for days in (2, 6):
        start = timezone.now() + timedelta(days=days)
        Appointment.objects.create(
            therapist=therapist, client=alice, start=start, end=start + timedelta(minutes=50), status="confirmed"
        )

    with browser(sync_playwright, expect) as new_context:
        page = new_context().new_page()
        page.set_default_timeout(30_000)  # a shared, busy test machine: pages can take a while
        expect.set_options(timeout=30_000)

        def shot(name: str) -> None:
            for size, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                page.screenshot(path=str(ARTIFACTS / f"entry-{name}-{size}.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})

        base = live_server.url
        # A visitor finds the way in for professionals from the footer.
        page.goto(f"{base}/")
        page.locator("footer").get_by_role("link", name="For professionals").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Support clients")
        expect(page.get_by_role("link", name="Create an account to apply")).to_be_visible()
        shot("01-for-professionals")
        page.locator("footer").get_by_role("link", name="Privacy policy").click()
        expect(page.get_by_role("heading", name="Privacy policy", level=1)).to_be_visible()
        shot("02-privacy")

        # A professional with an account applies.
        log_in(page, expect, base, applicant.email)
        page.goto(f"{base}/for-professionals/apply/")
        page.get_by_label("Your name as clients will see it").fill("Sam Okafor")
        page.get_by_label("Qualifications").fill("Family therapist (fictional)")
        page.get_by_label("Professional registration").fill("Fictional board, no. 0000-TEST")
        page.get_by_label("What you offer").fill("Individual counselling, online.")
        shot("03-apply")
        page.get_by_role("button", name="Send my application").click()
        expect(page.locator(".notice[role=status]")).to_contain_text("waiting for the operator")
        shot("04-applied")
        profile = TherapistProfile.objects.get(user=applicant)
        assert profile.approved_at is None and profile.registration == "Fictional board, no. 0000-TEST"
        page.context.clear_cookies()

        # A client ends a connection: first told exactly what happens, can go back.
        log_in(page, expect, base, alice.email)
        page.goto(f"{base}/connections/")
        page.get_by_role("button", name="End this connection").click()
        expect(page.get_by_role("heading", name="End this connection?")).to_be_visible()
        expect(page.locator(".consequences")).to_contain_text("Cancel 2 booked sessions")
        expect(page.locator(".consequences")).to_contain_text("the therapist is told by e-mail")
        shot("05-end-connection-confirm")
        page.get_by_role("link", name="Keep it — go back").click()
        connection.refresh_from_db()
        assert connection.status == TherapistConnection.Status.ACTIVE
        page.get_by_role("button", name="End this connection").click()
        page.get_by_role("button", name="End the connection").click()
        expect(page.locator(".messages")).to_contain_text("The connection has ended")
        connection.refresh_from_db()
        assert connection.status == TherapistConnection.Status.ENDED
        assert set(Appointment.objects.values_list("status", flat=True)) == {"cancelled"}

        # A journal entry deleted by mistake comes back with Undo.
        page.goto(f"{base}/journal/")
        page.get_by_label("What's on your mind").fill("Said no to Sunday lunch. Shaky, then proud.")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("Saved")
        page.locator("article").get_by_role("button", name="Delete").click()
        expect(page.get_by_role("heading", name="Delete this journal entry?")).to_be_visible()
        page.get_by_role("button", name="Delete the entry").click()
        expect(page.get_by_role("region", name="Recently deleted")).to_contain_text("Deleted: your entry of")
        assert not JournalEntry.objects.filter(owner=alice).exists()
        shot("06-journal-undo")
        page.get_by_role("button", name="Undo").click()
        expect(page.locator(".messages")).to_contain_text("the entry is back")
        expect(page.locator("article")).to_contain_text("Said no to Sunday lunch")
        assert JournalEntry.objects.filter(owner=alice).count() == 1
