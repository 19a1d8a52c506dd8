"""The adult child's plan on a phone: start, goal, small step, script, done with a
reflection, and the progress page changes. Screenshots: test-artifacts/browser/plan-*.png"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from individuate.boundaries.models import TrackedPerson
from individuate.healing.models import Script, SmallStep
from individuate.testing.browser import ARTIFACTS, browser, check_crisis_link, clear_screenshots, log_in, playwright


@pytest.mark.browser
def test_child_plan_goal_step_script_reflection_progress(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    clear_screenshots("plan-")
    robin = make_user("robin.plan@example.com", "Robin", perspective="adult_child")
    TrackedPerson.objects.create(owner=robin, name="my mother", role="parent")

    with browser(sync_playwright, expect) as new_context:
        page = new_context().new_page()

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"plan-{name}.png"), full_page=True)

        log_in(page, expect, live_server.url, robin.email)
        page.get_by_role("link", name="Plan", exact=True).first.click()
        expect(page.get_by_role("heading", name="Choose your plan")).to_be_visible()
        check_crisis_link(page, expect)
        shot("01-choose")
        page.get_by_role("button", name="Start this plan").first.click()
        expect(page.locator(".messages")).to_contain_text("Your plan has started")

        # A script first, so the step can use it.
        page.locator(".subnav").get_by_role("link", name="Scripts").click()
        page.get_by_label("Title").fill("The nightly call")
        page.get_by_role("button", name="Start writing").click()
        page.get_by_label("The situation").fill("When you call every evening at eight,")
        page.get_by_label("What I feel").fill("I feel I can't make plans of my own.")
        page.get_by_label("What I will do").fill("I'm going to call on Tuesdays and Sundays instead.")
        page.get_by_label("A kind reassurance").fill("I love our talks and want them to be ones I look forward to.")
        expect(page.locator("#composed")).to_contain_text("I'm going to call on Tuesdays and Sundays instead.")
        shot("02-script")
        page.reload()  # autosaved: nothing typed is lost
        expect(page.get_by_label("A kind reassurance")).to_have_value(
            "I love our talks and want them to be ones I look forward to."
        )
        assert Script.objects.get(owner=robin).message.startswith("When you call every evening at eight,")

        # Progress before: nothing planned yet.
        page.locator(".subnav").get_by_role("link", name="Progress").click()
        expect(page.locator("main")).not_to_contain_text("You planned")

        # A goal and a small step under "Small steps apart".
        page.locator(".subnav").get_by_role("link", name="My plan").click()
        page.get_by_role("link", name="Open step 2").click()
        page.get_by_label("A goal for this step").fill("Change the nightly call")
        page.get_by_role("button", name="Add goal").click()
        expect(page.locator(".messages")).to_contain_text("Goal added")
        page.get_by_text("Plan a small step").click()
        page.get_by_label("What will you do?").fill("Tell Mum about Tuesdays and Sundays")
        page.get_by_label("With a script (optional)").select_option(label="The nightly call")
        page.get_by_role("button", name="Plan it").click()
        expect(page.locator(".messages")).to_contain_text("Small step planned")
        shot("03-step-planned")

        # Do it, reflect, mark done.
        page.get_by_role("link", name="Open").first.click()
        expect(page.locator(".script-message")).to_contain_text("I'm going to call on Tuesdays and Sundays instead.")
        page.get_by_label("How it went").fill("She was quiet, then said it was fine.")
        page.get_by_label("Guilt afterwards (0–10)").fill("5")
        page.get_by_label("What I learned").fill("The guilt passed by the evening.")
        expect(page.locator("#reflection-state")).to_contain_text("Draft saved")
        step = SmallStep.objects.get(goal__enrollment__owner=robin)
        assert step.how_it_went == "She was quiet, then said it was fine." and step.status == "planned"
        shot("04-reflection")
        page.get_by_role("button", name="I did it").click()
        expect(page.locator(".messages")).to_contain_text("courage")

        # The progress page changed.
        expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
        expect(page.locator("main")).to_contain_text("You planned 1 small step and did 1; you wrote 1 reflection.")
        step.refresh_from_db()
        assert (step.status, step.guilt, step.learned) == ("done", 5, "The guilt passed by the evening.")
        shot("05-progress")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
