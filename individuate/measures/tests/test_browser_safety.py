"""Item 9 in a real Chromium: saved the moment it is tapped in one-question-per-screen
mode, so closing the tab at once drops nothing; the follow-up's "yes" leads to the
emergency-first screen. Screenshots of the pages at 390×844 and 1280×900 land in
``test-artifacts/browser/safety-*.png``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import make_user
from individuate.measures.models import Response, SafetyFlag
from individuate.measures.registry import instruments
from individuate.testing.browser import ARTIFACTS, browser, check_crisis_link, clear_screenshots, log_in, playwright

EMAIL = "kai.client@example.com"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


def _shots(page: Any, name: str) -> None:
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"safety-{name}-{label}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, label)
    page.set_viewport_size({"width": 390, "height": 844})


def _all_numbers_are_tel_links(page: Any) -> None:
    """Like the /crisis/ page's test: every number shown is a tap-to-call link."""
    for number in ("911", "999", "112", "988", "116123"):
        assert page.locator(f'main a[href="tel:{number}"]').count() >= 1, number


@pytest.mark.browser
def test_item9_is_stored_when_the_tab_is_closed_without_next(live_server) -> None:  # type: ignore[no-untyped-def]
    expect, sync_playwright = playwright()
    clear_screenshots("safety-")
    phq9 = instruments()["phq9"]
    person = make_user(EMAIL, "Kai", perspective="adult_child")
    base = live_server.url
    with browser(sync_playwright, expect) as new_context:
        context = new_context()
        page = context.new_page()
        log_in(page, expect, base, EMAIL)
        page.goto(f"{base}/measures/")
        card = page.locator("main section.card").filter(has=page.get_by_role("heading", name="PHQ-9", level=2))
        card.get_by_label("one question at a time").check()
        card.get_by_role("button", name="Start").click()
        expect(page).to_have_url(re.compile(r"/measures/r/\d+/$"))
        response = Response.objects.get(owner=person, instrument="phq9")
        page.goto(f"{base}/measures/r/{response.pk}/?q=9")
        question = page.locator("fieldset#q-phq9_9")
        expect(question.locator("legend")).to_contain_text(phq9.item("phq9_9").text)
        expect(page.locator("main")).to_contain_text("Spitzer")  # attribution where it is taken
        _shots(page, "01-question-9")
        with page.expect_response(lambda r: r.url.endswith("/answer/") and r.request.method == "POST") as saved:
            question.locator("label.option").filter(has_text="More than half the days").click()
        assert saved.value.status == 200
        # Closed at once: no "Next", not even waiting for the support page.
        page.close()
        context.close()

        response.refresh_from_db()
        assert response.answers == {"phq9_9": 2} and response.status == "in_progress"
        flag = SafetyFlag.objects.get(response=response)
        assert (flag.flag, flag.value, flag.highest_value, flag.latest_value) == ("self_harm", 2, 2, 2)


@pytest.mark.browser
def test_followup_yes_leads_to_the_emergency_screen(live_server) -> None:  # type: ignore[no-untyped-def]
    expect, sync_playwright = playwright()
    person = make_user("lou.client@example.com", "Lou", perspective="adult_child")
    base = live_server.url
    with browser(sync_playwright, expect) as new_context:
        context = new_context()
        page = context.new_page()
        log_in(page, expect, base, "lou.client@example.com")
        page.goto(f"{base}/crisis/")
        _all_numbers_are_tel_links(page)
        _shots(page, "00-crisis")
        page.goto(f"{base}/measures/")
        card = page.locator("main section.card").filter(has=page.get_by_role("heading", name="PHQ-9", level=2))
        card.get_by_label("one question at a time").check()
        card.get_by_role("button", name="Start").click()
        response = Response.objects.get(owner=person, instrument="phq9")
        page.goto(f"{base}/measures/r/{response.pk}/?q=9")
        page.locator("fieldset#q-phq9_9 label.option").filter(has_text="Several days").click()
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/support/"))
        main = page.locator("main")
        expect(main).to_contain_text("No one has been told automatically")
        expect(main.locator("a.button.call").first).to_be_in_viewport()
        _all_numbers_are_tel_links(page)
        check_crisis_link(page, expect)
        _shots(page, "02-support")

        followup = main.locator("form").filter(has_text="Two questions about right now")
        followup.locator("fieldset").nth(0).locator("label.option").filter(has_text="Yes").click()
        followup.locator("fieldset").nth(1).locator("label.option").filter(has_text="No").click()
        followup.get_by_role("button", name="Answer").click()
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/urgent/"))
        expect(main.get_by_role("heading", level=1)).to_have_text("Please get help now.")
        expect(main.locator("a.button.call").first).to_be_in_viewport()
        _all_numbers_are_tel_links(page)
        _shots(page, "03-urgent")
        flag = SafetyFlag.objects.get(response=response)
        assert (flag.thinking_now, flag.plan_or_act) == (True, False)

        # Finish the rest and look at the result page, crisis resources first.
        page.goto(f"{base}/measures/r/{response.pk}/?q=1")
        for n in range(1, 11):
            if n == 9:
                page.get_by_role("button", name="Next").click()
                continue
            q = page.locator("fieldset.question")
            q.locator("label.option").first.click()
            page.get_by_role("button", name=re.compile("Next|Review and finish")).click()
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/review/$"))
        page.get_by_role("button", name="See my results").click()
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/result/$"))
        _all_numbers_are_tel_links(page)
        _shots(page, "04-result")
        context.close()
