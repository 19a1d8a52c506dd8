"""The mediation journey in Chromium, on a phone (390x844) and on a desktop.

The mediator opens a case, invites both parents, picks 2-2-5-5 and two holidays; both
parents comment, one proposal is accepted, both agree, and the PDF downloads.
Screenshots: test-artifacts/browser/mediation-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from conftest import make_therapist_user, make_user
from individuate.mediation import actions
from individuate.mediation.models import Case, Comment
from individuate.testing.browser import (
    ARTIFACTS,
    browser,
    check_crisis_link,
    clear_screenshots,
    log_in,
    playwright,
    session_cookie,
)


@pytest.mark.browser
def test_mediator_and_both_parents_finish_a_plan(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    clear_screenshots("mediation-")
    mediator = make_therapist_user("vale@example.com", "Dr. Robin Vale")
    nora = make_user("nora@example.com", "Nora", perspective="parent")
    tobias = make_user("tobias@example.com", "Tobias", perspective="parent")
    base = live_server.url

    with browser(sync_playwright, expect) as new_context:
        m_context = new_context()
        m_context.add_cookies([session_cookie(mediator, base)])
        m = m_context.new_page()

        def shot(page: Any, name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"mediation-{name}.png"), full_page=True)

        # The mediator opens the case.
        m.goto(f"{base}/mediation/")
        check_crisis_link(m, expect)
        m.get_by_role("link", name="Open a case").click()
        m.get_by_label("Case title").fill("Alder")
        m.get_by_label("First parent's name in the plan").fill("Nora")
        m.get_by_label("Second parent's name in the plan").fill("Tobias")
        m.get_by_label("The schedule starts on").fill("2027-01-04")
        m.get_by_label("First child: first name").fill("Elsie")
        m.get_by_label("First child: birth date").fill("2018-06-12")
        shot(m, "01-open-phone")
        m.get_by_role("button", name="Open the case").click()
        expect(m.locator(".messages")).to_contain_text("The case is open")
        case = Case.objects.get()
        assert m.evaluate("document.documentElement.scrollWidth") <= 390

        # Invites both parents by e-mail.
        mail.outbox.clear()
        for name, email in (("Nora", nora.email), ("Tobias", tobias.email)):
            m.get_by_label(f"E-mail for {name}").fill(email)
            m.get_by_role("button", name=f"Invite {name}").click()
            expect(m.locator(".messages")).to_contain_text("Invitation sent")
        links = {msg.to[0]: re.search(r"/mediation/join/[\w-]+/", msg.body).group(0) for msg in mail.outbox}

        # Picks 2-2-5-5: the figures beside the form follow as it is edited.
        m.goto(f"{base}/mediation/{case.pk}/sections/regular_schedule/")
        m.get_by_label("Pattern").select_option("2-2-5-5")
        expect(m.locator("#live")).to_contain_text("not saved yet")
        shot(m, "02-schedule-live-phone")
        m.get_by_role("button", name="Save to the draft").click()
        expect(m.locator(".messages")).to_contain_text("Saved")

        # Two holidays from the common set.
        m.goto(f"{base}/mediation/{case.pk}/sections/holidays/")
        assert m.evaluate("document.documentElement.scrollWidth") <= 390  # the rows' Delete box fits
        m.get_by_label("Thanksgiving").check()
        m.get_by_label("Mother's Day").check()
        m.get_by_role("button", name="Save to the draft").click()
        expect(m.locator(".messages")).to_contain_text("Saved")
        assert sorted(h["name"] for h in actions.draft(case).document["holidays"]) == ["Mother's Day", "Thanksgiving"]

        # Both parents join and comment; Tobias proposes a change.
        pages = {}
        for user in (nora, tobias):
            page = new_context().new_page()
            log_in(page, expect, base, user.email)
            page.goto(base + links[user.email])
            page.get_by_role("button", name="Join the case").click()
            expect(page.locator(".messages")).to_contain_text("Welcome")
            page.locator("#section-holidays summary").click()
            page.locator("#section-holidays textarea").fill(f"{user.display_name}: the holidays look fair to me.")
            page.locator("#section-holidays").get_by_role("button", name="Add comment").click()
            expect(page.locator(".messages")).to_contain_text("Comment added")
            pages[user.email] = page
        t = pages[tobias.email]
        t.goto(f"{base}/mediation/{case.pk}/sections/communication/")
        t.get_by_label("How the parents communicate").fill("A shared notebook app; urgent matters by phone.")
        t.get_by_label("Why you propose this").fill("Fewer calls, calmer messages.")
        t.get_by_role("button", name="Send the proposal").click()
        expect(t.locator(".messages")).to_contain_text("Your proposal is with the mediator")
        shot(t, "03-parent-phone")

        # The mediator compares it with the draft and accepts it.
        m.goto(f"{base}/mediation/{case.pk}/")
        m.get_by_role("link", name="Compare with the draft").click()
        expect(m.locator("main")).to_contain_text("A shared notebook app")
        m.go_back()
        m.get_by_role("button", name="Accept into the draft").click()
        expect(m.locator(".messages")).to_contain_text("Accepted into the draft")
        assert Comment.objects.get(status="accepted").author == tobias
        draft = actions.draft(case)

        # Both agree to exactly this version.
        for user, full_name in ((nora, "Nora Alder"), (tobias, "Tobias Alder")):
            page = pages[user.email]
            page.goto(f"{base}/mediation/{case.pk}/?year=2027")
            page.get_by_label("Type your full name").fill(full_name)
            page.get_by_label("I have read this version of the plan and agree to it").check()
            page.get_by_role("button", name=f"Agree to version {draft.number}").click()
            expect(page.locator(".messages")).to_contain_text(f"You agreed to version {draft.number}")
        assert actions.agreed_version(case) == draft

        # The PDF downloads; the desktop view of the case and the comparison.
        n = pages[nora.email]
        n.goto(f"{base}/mediation/{case.pk}/")
        expect(n.get_by_role("link", name="Download the plan as PDF")).to_have_attribute(
            "href", f"/mediation/{case.pk}/plan.pdf"
        )
        with n.expect_download(timeout=60_000) as download:  # WeasyPrint takes a few seconds on a busy machine
            n.get_by_role("link", name="Download the plan as PDF").click(no_wait_after=True)
        assert download.value.suggested_filename.endswith(".pdf")
        assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
        n.goto(f"{base}/mediation/{case.pk}/")
        n.locator("#time details.calendar summary").click()
        expect(n.locator("#time table.month").first).to_be_visible()
        shot(n, "04-case-phone")
        assert n.evaluate("document.documentElement.scrollWidth") <= 390
        m.set_viewport_size({"width": 1280, "height": 900})
        m.goto(f"{base}/mediation/{case.pk}/")
        m.locator("#time details.calendar summary").click()
        shot(m, "05-case-desktop")
        m.goto(f"{base}/mediation/{case.pk}/compare/?before=1&after={draft.number}")
        expect(m.locator("main")).to_contain_text("What changed")
        shot(m, "06-compare-desktop")
        m.goto(f"{base}/mediation/{case.pk}/sections/holidays/")
        shot(m, "07-holidays-desktop")
