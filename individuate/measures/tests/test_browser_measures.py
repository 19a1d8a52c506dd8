"""Taking questionnaires through a real Chromium on a phone-sized screen.

1. PHQ-9, one question at a time: a "Several days" answer to item 9 is saved the
   moment it is tapped (no "Next"), puts the crisis resources first, raises a safety
   flag and alerts the therapist — even when the person closes the page straight
   away — and the sitting resumes later.
2. "Me and my parent", all on one page: answers autosave as they are chosen
   (by mouse and by keyboard), survive a reload, and the result page explains
   itself.

Screenshots land in ``test-artifacts/browser/measures-*.png`` at the repo root.
Run only these with ``pytest -m browser``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from conftest import connect, make_therapist_user, make_user
from individuate.measures.models import Response, SafetyFlag
from individuate.measures.registry import instruments
from individuate.testing.browser import (
    ARTIFACTS,
    browser,
    check_crisis_link,
    clear_screenshots,
    log_in,
    playwright,
)

CLIENT_EMAIL = "robin.client@example.com"
CLIENT_NAME = "Robin Quill"
THERAPIST_EMAIL = "care.therapist@example.com"
THERAPIST_NAME = "Dr. Care Therapist"


def _instrument_card(page: Any, title: str) -> Any:
    # Headings read "PHQ-9 · depression": the title, then what it is about.
    heading = page.get_by_role("heading", name=re.compile(rf"^{re.escape(title)}( · .+)?$"), level=2)
    return page.locator("main section.card").filter(has=heading)


@pytest.mark.browser
def test_phq9_self_harm_answer_shows_crisis_first_and_alerts_therapist(live_server) -> None:  # type: ignore[no-untyped-def]
    expect, sync_playwright = playwright()
    clear_screenshots("measures-phq9-")
    phq9 = instruments()["phq9"]
    flag = next(f for f in phq9.flags if f.id == "self_harm")

    therapist = make_therapist_user(THERAPIST_EMAIL, THERAPIST_NAME, mfa=True)
    client = make_user(CLIENT_EMAIL, CLIENT_NAME, perspective="adult_child")
    connect(therapist, client, ("measures",))
    base = live_server.url

    with browser(sync_playwright, expect) as new_context:
        context = new_context()
        page = context.new_page()

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"measures-phq9-{name}.png"), full_page=True)

        log_in(page, expect, base, CLIENT_EMAIL)
        page.goto(f"{base}/measures/")
        check_crisis_link(page, expect)
        card = _instrument_card(page, "PHQ-9")
        card.get_by_label("one question at a time").check()
        card.get_by_role("button", name="Start").click()
        expect(page).to_have_url(re.compile(r"/measures/r/\d+/$"))
        response = Response.objects.get(owner=client, instrument="phq9", status="in_progress")
        assert response.layout == "one"

        # Items 1–8: one per screen, answered by tapping the option's label.
        for number, item in enumerate(phq9.items[:8], 1):
            expect(page.locator("main")).to_contain_text(f"question {number} of 10")
            question = page.locator(f"fieldset#q-{item.id}")
            expect(question.locator("legend")).to_contain_text(item.text)
            check_crisis_link(page, expect)
            if number == 1:
                shot("01-question-1")
            question.locator("label.option").filter(has_text="Not at all").click()
            expect(question.get_by_label("Not at all", exact=True)).to_be_checked()
            page.get_by_role("button", name="Next").click()
            expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/\?q={number + 1}$"))

        # Item 9: "Several days" — and nothing else: no "Next".
        item9 = phq9.items[8]
        assert item9.id == flag.item
        question = page.locator(f"fieldset#q-{item9.id}")
        expect(question.locator("legend")).to_contain_text(item9.text)
        check_crisis_link(page, expect)
        shot("02-question-9")
        question.locator("label.option").filter(has_text="Several days").click()

        # Saved on the tap: the very next page is the support page, crisis resources first.
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/support/"))
        main = page.locator("main")
        heading = main.get_by_role("heading", level=1)
        expect(heading).to_have_text(flag.message)
        expect(main).to_contain_text("thinking about suicide")
        call = main.locator("a.button.call").first
        expect(call).to_be_visible()
        expect(call).to_have_attribute("href", re.compile(r"^tel:\d+$"))
        expect(call).to_be_in_viewport()  # no scrolling needed to reach it
        for emergency in ("911", "999", "112"):
            expect(main.get_by_role("link", name=re.compile(rf"^Call {emergency}\b"))).to_have_attribute(
                "href", f"tel:{emergency}"
            )
        check_crisis_link(page, expect)
        # No questionnaire content on this page, and the resources come before the way back.
        # The only questions are the two of the follow-up about right now, after the resources.
        expect(main.locator("fieldset.question:not(.followup)")).to_have_count(0)
        expect(main).not_to_contain_text(item9.text)
        expect(main.locator("input[type=radio]")).to_have_count(4)
        expect(main.locator("form.followup input[type=radio]")).to_have_count(4)
        continue_link = main.get_by_role("link", name="Continue the questionnaire")
        expect(continue_link).to_be_visible()
        order = main.evaluate(
            """(main, [message]) => {
                const all = Array.from(main.querySelectorAll('*'));
                const call = all.findIndex(e => e.tagName === 'A' && e.textContent.trim().startsWith('Call 911'));
                const msg = all.findIndex(e => e.tagName === 'H1' && e.textContent.includes(message));
                const back = all.findIndex(e => e.tagName === 'A' && e.textContent.includes('Continue the questionnaire'));
                return {call, msg, back};
            }""",
            [flag.message],
        )
        assert 0 <= order["msg"] < order["call"] < order["back"], order
        expect(main).to_contain_text("Your therapist has been told")
        shot("03-support")

        # The person closes the page right away, pressing nothing else.
        page.close()
        context.close()

        # The flag is stored and the therapist was told — without clinical detail.
        safety = SafetyFlag.objects.get(response=response)
        assert (safety.owner_id, safety.flag, safety.item, safety.value) == (
            client.pk,
            "self_harm",
            "phq9_9",
            1,
        )
        assert not safety.seen.exists()
        response.refresh_from_db()
        assert response.status == "in_progress"
        assert len(response.answers) == 9
        to_therapist = [m for m in mail.outbox if THERAPIST_EMAIL in m.to]
        assert len(to_therapist) == 1, [(m.to, m.subject) for m in mail.outbox]
        message = to_therapist[0]
        assert "needs your attention" in message.subject
        assert "needs your attention" in message.body
        texts = [message.subject, message.body] + [str(content) for content, _ in getattr(message, "alternatives", [])]
        forbidden = ["PHQ", item9.text, "better off dead", "hurting yourself", "Several days"]
        forbidden += [CLIENT_NAME, "Robin", CLIENT_EMAIL, flag.message]
        for text in texts:
            for word in forbidden:
                assert word.lower() not in text.lower(), (word, text)
        assert not [m for m in mail.outbox if CLIENT_EMAIL in m.to]

        # The therapist sees it on the dashboard and on the client's measures page.
        as_therapist = Client()
        as_therapist.force_login(therapist)
        dashboard = as_therapist.get("/dashboard/")
        assert dashboard.status_code == 200
        assert "1 client needs your attention" in dashboard.content.decode()
        clients_page = as_therapist.get("/clients/")
        assert clients_page.status_code == 200
        assert "needs attention" in clients_page.content.decode()
        measures_page = as_therapist.get(f"/clients/{client.pk}/measures/")
        assert measures_page.status_code == 200, measures_page.content[:500]
        html = measures_page.content.decode()
        assert "Safety flags" in html
        assert "Thoughts that you would be better off dead or of hurting yourself" in html  # the item, in words
        assert re.search(r'<span class="badge warn">\s*new\s*</span>', html), html
        assert f"/clients/{client.pk}/measures/flags/{safety.pk}/seen/" in html

        # Later, in a new browser page, the person resumes the same sitting.
        context = new_context()
        page = context.new_page()
        log_in(page, expect, base, CLIENT_EMAIL)
        page.goto(f"{base}/measures/")
        card = _instrument_card(page, "PHQ-9")
        expect(card).to_contain_text("9 answered")
        resume = card.get_by_role("link", name="Continue where you left off")
        expect(resume).to_have_attribute("href", f"/measures/r/{response.pk}/")
        expect(card.get_by_role("button", name="Start")).to_have_count(0)
        shot("04-resume")
        resume.click()
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/$"))
        expect(page.locator("main")).to_contain_text("question 10 of 10")
        expect(page.locator("#save-state")).to_contain_text("9 of 10 answered")
        check_crisis_link(page, expect)
        page.goto(f"{base}/measures/r/{response.pk}/?q=9")
        expect(page.locator(f"fieldset#q-{item9.id}").get_by_label("Several days", exact=True)).to_be_checked()
        response.refresh_from_db()
        assert len(response.answers) == 9
        assert Response.objects.filter(owner=client).count() == 1
        assert SafetyFlag.objects.filter(owner=client).count() == 1
        assert len([m for m in mail.outbox if THERAPIST_EMAIL in m.to]) == 1
        context.close()


@pytest.mark.browser
def test_new_user_takes_enmeshment_child_and_reads_results_on_a_phone(live_server) -> None:  # type: ignore[no-untyped-def]
    expect, sync_playwright = playwright()
    clear_screenshots("measures-enmeshment-")
    instrument = instruments()["enmeshment-child"]
    items = list(instrument.items)
    count = len(items)
    assert count == 28
    make_user("new.client@example.com", "Kit", perspective="adult_child")
    base = live_server.url

    # "Agree" to every sentence and "Disagree" to the reversed ones: 4 everywhere.
    def label_for(item: Any) -> str:
        return "Disagree" if item.reverse else "Agree"

    with browser(sync_playwright, expect) as new_context:
        context = new_context()
        page = context.new_page()

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"measures-enmeshment-{name}.png"), full_page=True)

        def answer_saved(action: Callable[[], None]) -> None:
            with page.expect_response(lambda r: r.url.endswith("/answer/") and r.request.method == "POST") as saved:
                action()
            assert saved.value.status == 200, saved.value.text()

        log_in(page, expect, base, "new.client@example.com")
        page.goto(f"{base}/measures/")
        card = _instrument_card(page, "Me and my parent")
        expect(card).to_contain_text(f"{count} questions")
        card.get_by_label("all on one page").check()
        card.get_by_role("button", name="Start").click()
        expect(page).to_have_url(re.compile(r"/measures/r/\d+/$"))
        expect(page.get_by_role("heading", name="Me and my parent", level=1)).to_be_visible()
        check_crisis_link(page, expect)
        response = Response.objects.get(owner__email="new.client@example.com")
        assert response.layout == "all"
        save_state = page.locator("#save-state")
        expect(save_state).to_contain_text(f"0 of {count} answered")
        expect(page.locator("fieldset.question")).to_have_count(count)
        shot("01-start")

        def click_answer(n: int) -> None:
            item = items[n - 1]
            question = page.locator(f"fieldset#q-{item.id}")
            label = question.locator("label.option").filter(has_text=re.compile(rf"^\s*{label_for(item)}\s*$"))
            answer_saved(lambda: label.click())
            expect(question.get_by_label(label_for(item), exact=True)).to_be_checked()
            expect(save_state).to_contain_text(f"{n} answered · saved")

        # First half by tapping the labels; each answer is saved as it is chosen.
        half = 12
        for n in range(1, half + 1):
            click_answer(n)
        assert len(Response.objects.get(pk=response.pk).answers) == half

        # A reload keeps them: the page is rebuilt from what the server saved.
        page.reload()
        expect(save_state).to_have_text(f"{half} of {count} answered · saved as you go")
        for item in items[:half]:
            expect(page.locator(f"fieldset#q-{item.id}").get_by_label(label_for(item), exact=True)).to_be_checked()
        for item in items[half:]:
            expect(page.locator(f"fieldset#q-{item.id} input:checked")).to_have_count(0)
        check_crisis_link(page, expect)

        # Keyboard only, for question 13: Tab in from question 12, Space, then arrows.
        item13 = items[half]
        assert not item13.reverse
        q13 = page.locator(f"fieldset#q-{item13.id}")
        page.locator(f"fieldset#q-{items[half - 1].id} input:checked").focus()
        page.keyboard.press("Tab")
        first = q13.get_by_label("Strongly disagree", exact=True)
        expect(first).to_be_focused()
        expect(first).not_to_be_checked()
        answer_saved(lambda: page.keyboard.press("Space"))
        expect(first).to_be_checked()
        expect(save_state).to_contain_text(f"{half + 1} answered · saved")
        for label in ("Disagree", "Neither agree nor disagree", "Agree"):
            answer_saved(lambda: page.keyboard.press("ArrowDown"))
            option = q13.get_by_label(label, exact=True)
            expect(option).to_be_focused()
            expect(option).to_be_checked()
        assert Response.objects.get(pk=response.pk).answers[item13.id] == 4
        shot("02-keyboard")

        # The rest by tapping.
        for n in range(half + 2, count + 1):
            click_answer(n)
        expect(save_state).to_contain_text(f"{count} answered")
        answers = Response.objects.get(pk=response.pk).answers
        assert len(answers) == count
        assert {answers[i.id] for i in items if i.reverse} == {2}
        assert {answers[i.id] for i in items if not i.reverse} == {4}

        # Finish → review → results.
        page.get_by_role("button", name="Review and finish").click()
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/review/$"))
        expect(page.locator("main")).to_contain_text("You have answered every question")
        check_crisis_link(page, expect)
        shot("03-review")
        page.get_by_role("button", name="See my results").click()
        expect(page).to_have_url(re.compile(rf"/measures/r/{response.pk}/result/$"))

        main = page.locator("main")
        expect(main.get_by_role("heading", name="Me and my parent · enmeshment: your result", level=1)).to_be_visible()
        expect(main.locator(".result-total .big")).to_have_text("4")
        expect(main.locator(".result-total .badge")).to_have_text("many signs")
        expect(main.locator(".result-total .badge")).to_be_visible()
        expect(main).to_contain_text("Many signs of enmeshment")
        labels = [s.label for s in instrument.subscales]
        assert len(labels) == 6
        table = main.locator("table.data")
        for label in labels:
            expect(table.get_by_role("cell", name=label, exact=True)).to_be_visible()
        meaning = main.locator("section").filter(has=page.get_by_role("heading", name="What it might mean", level=2))
        expect(meaning).to_be_visible()
        for label in labels:
            expect(meaning.get_by_role("heading", name=re.compile(re.escape(label)), level=3)).to_be_visible()
        expect(main).to_contain_text("not a validated diagnostic test")
        expect(main.locator("p.notice")).to_contain_text("It is not a validated diagnostic test")
        # No crisis block: nothing in this questionnaire calls for one.
        expect(main.locator("a.button.call")).to_have_count(0)
        check_crisis_link(page, expect)
        # Nothing sticks out sideways on a phone.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 390, scroll_width
        shot("04-result")

        response.refresh_from_db()
        assert response.status == "completed"
        assert response.total == pytest.approx(4.0)
        assert response.band == "many signs"
        context.close()
