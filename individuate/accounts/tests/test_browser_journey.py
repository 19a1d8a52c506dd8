"""One journey through a real Chromium on a phone-sized screen.

A new person signs up, verifies their e-mail, logs out and back in, adds
"my mother", asks a therapist to connect, shares and un-shares their measures
(checked against the therapist's API read each time) and finds the therapist's
read in their access log. The crisis link must be on every page they see.

Screenshots of each step land in ``test-artifacts/browser/`` at the repo root.
Run only this with ``pytest -m browser``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connections
from django.test import Client

from conftest import make_therapist_user
from individuate.accounts.models import User
from individuate.boundaries.actions import answer_connection_request
from individuate.boundaries.models import TherapistConnection
from individuate.testing.browser import open_menu

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"
TIMEOUT_MS = 10_000

NEW_EMAIL = "new.person@example.com"
NEW_PASSWORD = "Quiet-harbour-lanterns-42"
THERAPIST_NAME = "Dr. Demo Therapist"


def _cannot_run(message: str) -> None:
    """Skip on a developer's machine; in CI a missing browser is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} In CI the browser journey must run.")
    pytest.skip(message)


@pytest.mark.browser
def test_new_person_journey_on_a_phone(live_server) -> None:  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        _cannot_run(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _cannot_run("Playwright is not installed (pip install -e '.[dev]').")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("[0-9][0-9]-*.png"):  # only this journey's own
        old.unlink()

    therapist = make_therapist_user("demo.therapist@example.com", THERAPIST_NAME, mfa=True)
    base = live_server.url
    pages_with_crisis_link: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                timezone_id="Europe/Berlin",
                device_scale_factor=1,
                is_mobile=True,
                has_touch=True,
            )
            context.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page = context.new_page()

            def shot(name: str) -> None:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

            def check_crisis_link() -> None:
                # The header always carries it; the footer repeats it.
                header_link = page.locator("header.site-header a.crisis-link")
                expect(header_link).to_be_visible()
                expect(header_link).to_have_text("In crisis?")
                expect(header_link).to_have_attribute("href", "/crisis/")
                pages_with_crisis_link.append(urlsplit(page.url).path)

            # 1. Sign up.
            page.goto(f"{base}/accounts/signup/")
            check_crisis_link()
            page.fill("input[name=email]", NEW_EMAIL)
            page.fill("input[name=password1]", NEW_PASSWORD)
            page.fill("input[name=password2]", NEW_PASSWORD)
            if page.locator("input[name=display_name]").count():
                page.fill("input[name=display_name]", "Nora")
            if page.locator("select[name=perspective]").count():
                page.select_option("select[name=perspective]", "adult_child")
            shot("01-signup")
            page.locator("main form").filter(has=page.locator("input[name=password1]")).locator(
                "button[type=submit]"
            ).click()
            # Mandatory verification: the user is told to check their e-mail.
            expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
            expect(page.locator("main")).to_contain_text(re.compile(r"verify|confirm", re.I))
            check_crisis_link()
            shot("02-check-your-email")

            # 2. Verify the e-mail through the link in the message.
            user = User.objects.get(email=NEW_EMAIL)
            assert user.time_zone == "Europe/Berlin", "the browser's time zone is recorded"
            assert not EmailAddress.objects.get(user=user, email=NEW_EMAIL).verified
            to_new_user = [m for m in mail.outbox if NEW_EMAIL in m.to]
            assert to_new_user, "no verification e-mail was sent"
            match = re.search(
                r"https?://[^\s\"'<>]+(/accounts/confirm-email/[^/\s\"'<>]+/)",
                str(to_new_user[-1].body),
            )
            assert match, f"no confirmation link in the e-mail:\n{to_new_user[-1].body}"
            page.goto(base + match.group(1))
            check_crisis_link()
            shot("03-confirm-email")
            page.locator("main form button[type=submit]").click()
            # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: confirming in the same browser logs in.
            expect(page).to_have_url(re.compile(r"/dashboard/$"))
            open_menu(page)
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            assert EmailAddress.objects.get(user=user, email=NEW_EMAIL).verified
            shot("04-after-confirm")

            # 3. Log out, then log in again with e-mail and password.
            page.get_by_role("button", name="Log out").click()
            page.wait_for_url(lambda url: not url.endswith("/dashboard/"))
            if "/accounts/logout/" in page.url:  # allauth's confirmation page
                page.locator("main form button[type=submit]").click()
                page.wait_for_url(lambda url: "/accounts/logout/" not in url)
            open_menu(page)
            nav = page.get_by_role("navigation", name="Account")
            expect(nav.get_by_role("link", name="Log in", exact=True)).to_be_visible()
            expect(page.get_by_role("button", name="Log out")).to_have_count(0)
            check_crisis_link()
            shot("05-logged-out")

            page.goto(f"{base}/accounts/login/")
            check_crisis_link()
            page.fill("input[name=login]", NEW_EMAIL)
            page.fill("input[name=password]", NEW_PASSWORD)
            shot("06-login")
            page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
                "button[type=submit]"
            ).click()
            expect(page).to_have_url(re.compile(r"/dashboard/$"))
            open_menu(page)
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            check_crisis_link()
            shot("07-dashboard")

            # 4. Add "my mother" as a parent.
            page.get_by_role("link", name="My people").first.click()
            expect(page).to_have_url(re.compile(r"/people/$"))
            expect(page.get_by_role("heading", name="My people", level=1)).to_be_visible()
            page.get_by_label("Name", exact=True).fill("my mother")
            page.get_by_label("They are my").select_option(label="Parent")
            page.get_by_role("button", name="Add", exact=True).click()
            expect(page.locator(".messages")).to_contain_text("Added “my mother”.")
            mother_heading = page.get_by_role("heading", name="my mother", level=2)
            expect(mother_heading).to_be_visible()
            mother_card = page.locator("section.card").filter(has=mother_heading)
            expect(mother_card).to_contain_text("Parent")
            expect(mother_card).to_contain_text("Not linked")
            check_crisis_link()
            shot("08-my-people")

            # 5. Ask the therapist to connect.
            page.goto(f"{base}/therapists/")
            expect(page.get_by_role("heading", name="Find a therapist", level=1)).to_be_visible()
            expect(page.get_by_role("heading", name=THERAPIST_NAME)).to_be_visible()
            check_crisis_link()
            page.get_by_role("button", name=f"Ask to connect with {THERAPIST_NAME}").click()
            expect(page).to_have_url(re.compile(r"/connections/$"))
            expect(page.locator(".messages")).to_contain_text("Request sent.")
            connection_card = page.locator("section.card").filter(has=page.get_by_role("heading", name=THERAPIST_NAME))
            expect(connection_card).to_contain_text("Waiting for an answer")
            expect(connection_card).to_contain_text(f"Waiting for {THERAPIST_NAME} to accept")
            check_crisis_link()
            shot("09-request-sent")

            # The therapist accepts (on their side, directly).
            connection = TherapistConnection.objects.get(therapist=therapist, client=user)
            answer_connection_request(therapist, connection.pk, True)

            # 6. Share measures, check the therapist can read them, then stop sharing.
            page.reload()
            expect(connection_card).to_contain_text("Connected")
            share = connection_card.locator("button[data-scope=measures]")
            expect(share).to_have_attribute("data-state", "off")
            expect(share).to_have_text("Share")
            shot("10-connected")
            share.click()
            expect(page.locator(".messages")).to_contain_text("Now sharing measures.")
            expect(share).to_have_attribute("data-state", "on")
            expect(share).to_have_text("Stop sharing")
            check_crisis_link()
            shot("11-measures-shared")

            as_therapist = Client()
            as_therapist.force_login(therapist)
            records_url = f"/api/people/{user.pk}/records/measures"
            response = as_therapist.get(records_url)
            assert response.status_code == 200, response.content

            share.click()
            expect(page.locator(".messages")).to_contain_text("Stopped sharing measures.")
            expect(share).to_have_attribute("data-state", "off")
            expect(share).to_have_text("Share")
            shot("12-measures-not-shared")
            response = as_therapist.get(records_url)
            assert response.status_code == 403, response.content

            # 7. The therapist's read is in the access log.
            page.get_by_role("link", name="Access log").first.click()
            expect(page).to_have_url(re.compile(r"/access-log/$"))
            read_row = (
                page.locator("table.data tbody tr")
                .filter(has_text=THERAPIST_NAME)
                .filter(has_text="Questionnaires and their scores")
            )
            expect(read_row.first).to_be_visible()
            check_crisis_link()
            shot("13-access-log")

            # 8. The crisis link was visible on every page of the journey.
            assert len(set(pages_with_crisis_link)) >= 3, pages_with_crisis_link
            page.get_by_role("link", name="In crisis?").first.click()
            expect(page).to_have_url(re.compile(r"/crisis/$"))
            shot("14-crisis")
        finally:
            browser.close()
            # ORM calls made inside Playwright's greenlet open their own database
            # connection; close it here so the test database can be dropped.
            connections.close_all()
