"""A check-in and a contact on a phone, then the joint report after both opt in — in Chromium.

Screenshots land in ``test-artifacts/browser/checkins-*.png``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import link, make_user
from individuate.boundaries.models import FamilyLink, TrackedPerson
from individuate.checkins import coupling
from individuate.checkins.models import CheckIn, ContactEvent, CouplingReport
from individuate.checkins.tests.test_coupling_product import _simulate
from individuate.testing.browser import (
    ARTIFACTS,
    browser,
    check_crisis_link,
    clear_screenshots,
    log_in,
    playwright,
)


@pytest.mark.browser
def test_checkin_contact_and_joint_report_on_a_phone(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    clear_screenshots("checkins-")
    alice = make_user("alice.phone@example.com", "Alice")
    mother = make_user("mother.phone@example.com", "Margit")
    mine = TrackedPerson.objects.create(owner=alice, name="my mother", role="parent")
    theirs = TrackedPerson.objects.create(owner=mother, name="my daughter", role="child")
    link(alice, mine, mother, theirs)
    _simulate(alice, mother, days=60)
    coupling.recompute_solo()
    family_link = FamilyLink.objects.get()
    coupling.set_joint_consent(mother, family_link, opted_in=True, share_with_other=True)
    before = CheckIn.objects.filter(owner=alice).count()

    with browser(sync_playwright, expect) as new_context:
        page = new_context().new_page()

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"checkins-{name}.png"), full_page=True)

        log_in(page, expect, live_server.url, alice.email)

        # A check-in: the nav's "Check in", three sliders, save — a handful of taps.
        page.get_by_role("link", name="Check in", exact=True).first.click()
        expect(page.get_by_role("heading", name="How are you right now?")).to_be_visible()
        check_crisis_link(page, expect)
        page.get_by_label("My mood").fill("3")
        page.get_by_label("How do you think my mother feels today?").fill("2")
        expect(page.locator("output[for=id_mood]")).to_have_text("3")
        shot("01-checkin")
        page.get_by_role("button", name="Save check-in").click()
        expect(page.locator(".messages")).to_contain_text("Thank you for checking in")
        assert CheckIn.objects.filter(owner=alice).count() == before + 1
        latest = CheckIn.objects.filter(owner=alice).latest("at")
        assert latest.mood == 3 and latest.perceived.get().value == 2

        # A contact right after a call.
        page.get_by_role("link", name="Contacts").click()
        page.get_by_label("my mother").check()
        page.get_by_label("Call").check()
        page.get_by_label("Later, on my own terms").check()
        page.get_by_label("Guilt afterwards").fill("6")
        shot("02-contact")
        page.get_by_role("button", name="Save contact").click()
        expect(page.locator(".messages")).to_contain_text("Contact logged")
        contact = ContactEvent.objects.get(owner=alice)
        assert (contact.kind, contact.response, contact.guilt_after) == ("call", "own_terms", 6)

        # Out-of-range input from a tampered form saves nothing.
        page.goto(f"{live_server.url}/checkin/")
        page.evaluate("document.getElementById('id_mood').setAttribute('max', '50')")
        page.evaluate("document.getElementById('id_mood').value = '50'")
        page.get_by_role("button", name="Save check-in").click()
        expect(page.locator(".messages")).to_contain_text("My mood")
        assert CheckIn.objects.filter(owner=alice).count() == before + 1

        # The solo report, then opting in to the joint report and seeing it.
        page.get_by_role("link", name="Patterns").click()
        expect(page.get_by_role("heading", name="You and my mother", level=2)).to_be_visible()
        expect(page.locator("svg.chart").first).to_be_visible()
        expect(page.locator(".joint-report")).to_have_count(0)
        card = page.locator(".card").filter(has=page.get_by_role("heading", name="You and my mother", level=3))
        card.get_by_label("Take part in a joint report").check()
        card.get_by_label("Let my mother see it too").check()
        card.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("not told")
        page.get_by_role("button", name="Update now").click()
        expect(page.locator(".joint-report")).to_be_visible()
        expect(page.locator(".joint-report")).to_contain_text(re.compile("mood", re.I))
        assert CouplingReport.objects.filter(kind="joint", link=family_link).exists()
        shot("03-patterns")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
