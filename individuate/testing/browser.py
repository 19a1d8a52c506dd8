"""Shared helpers for the browser tests: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here; tests skip on a developer machine without
Chromium, and fail in CI (CI=true), where browser tests must run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from conftest import PASSWORD

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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
TIMEOUT_MS = 10_000


def cannot_run(message: str) -> None:
    """Skip on a developer's machine; in CI a missing browser is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} In CI the browser tests must run.")
    pytest.skip(message)


def playwright() -> tuple[Any, Any]:
    if not CHROMIUM.exists():
        cannot_run(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        cannot_run("Playwright is not installed (pip install -e '.[dev]').")
    return expect, sync_playwright


def clear_screenshots(prefix: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{prefix}*.png"):
        old.unlink()


@contextmanager
def browser(sync_playwright: Any, expect: Any) -> Iterator[Callable[[], Any]]:
    """Yield a factory of fresh phone-sized browser contexts; close everything after."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        expect.set_options(timeout=TIMEOUT_MS)

        def new_context() -> Any:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                timezone_id="Europe/Berlin",
                device_scale_factor=1,
                is_mobile=True,
                has_touch=True,
            )
            context.set_default_timeout(TIMEOUT_MS)
            return context

        try:
            yield new_context
        finally:
            browser.close()
            # ORM calls made inside Playwright's greenlet open their own database
            # connection; close it here so the test database can be dropped.
            connections.close_all()


def session_cookie(user: Any, base: str) -> dict[str, str]:
    """A signed-in session for ``user`` as a browser cookie (for two-factor users: the
    two-factor login has its own tests)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def log_in(page: Any, expect: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def check_crisis_link(page: Any, expect: Any) -> None:
    header_link = page.locator("header.site-header a.crisis-link")
    expect(header_link).to_be_visible()
    expect(header_link).to_have_text("In crisis?")
    expect(header_link).to_have_attribute("href", "/crisis/")


def open_menu(page: Any) -> None:
    """On a phone the navigation folds behind "Menu": open it (no-op on wider screens)."""
    button = page.locator("header.site-header .menu-button")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
