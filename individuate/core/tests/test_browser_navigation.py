"""The header at every width and for every role: each navigation link can be clicked
(nothing sits on top of it), the crisis link is always visible, and on phones the menu
button opens the navigation. Screenshots: test-artifacts/browser/nav-*.png"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_therapist_user, make_user
from individuate.testing.browser import ARTIFACTS, browser, clear_screenshots, playwright, session_cookie

WIDTHS = (390, 768, 1280, 1440)

# For each link in the header (and the phone's bottom bar): is the element at its
# centre point the link itself or something inside it?
UNCOVERED = """
() => [...document.querySelectorAll(
    "header.site-header .site-menu a, header.site-header .site-menu button, "
    + "header.site-header a.crisis-link, header.site-header a.brand, .tab-bar a")]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    return {
      text: el.textContent.trim(),
      ok: hit !== null && (hit === el || el.contains(hit)),
      inside: x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight,
      hit: hit ? hit.outerHTML.slice(0, 80) : null,
    };
  })
"""


@pytest.mark.browser
def test_every_nav_link_is_clickable_at_every_width_for_every_role(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    clear_screenshots("nav-")
    people = {
        "client": make_user("nav.client@example.com", "Robin", perspective="adult_child"),
        "parent": make_user("nav.parent@example.com", "Ellen", perspective="parent"),
        "therapist": make_therapist_user("nav.therapist@example.com", "Dr. Nav", mfa=False),
        "anonymous": None,
    }
    expected_links = {
        "client": {"Dashboard", "Check in", "Plan", "Questionnaires", "Appointments", "My people", "Therapist"},
        "parent": {"Dashboard", "Check in", "Plan", "Questionnaires", "Appointments", "My people", "Therapist"},
        "therapist": {"Dashboard", "Week", "Clients", "Two-factor"},
        "anonymous": {"Home", "Find a therapist", "Log in", "Sign up"},
    }
    with browser(sync_playwright, expect) as new_context:
        for role, person in people.items():
            context = new_context()
            if person is not None:
                context.add_cookies([session_cookie(person, live_server.url)])
            page = context.new_page()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844 if width < 768 else 900})
                page.goto(f"{live_server.url}/dashboard/" if person else f"{live_server.url}/")
                crisis = page.locator("header.site-header a.crisis-link")
                expect(crisis).to_be_visible()
                header_height = page.locator("header.site-header").bounding_box()["height"]
                menu = page.get_by_role("button", name="Menu")
                if width < 768:
                    # Phone: a compact header; the links open behind the menu button.
                    assert header_height <= 72, f"{role} at {width}px: header is {header_height}px tall"
                    expect(page.locator(".site-nav")).to_be_hidden()
                    menu.click()
                    expect(menu).to_have_attribute("aria-expanded", "true")
                    expect(crisis).to_be_visible()
                else:
                    expect(menu).to_be_hidden()
                nav = page.locator(".site-nav")
                expect(nav).to_be_visible()
                shown = {t.strip() for t in nav.get_by_role("link").all_inner_texts()}
                shown |= {t.strip() for t in page.locator(".account-nav a").all_inner_texts()}
                assert expected_links[role] <= shown, f"{role} at {width}px lacks {expected_links[role] - shown}"
                page.screenshot(path=str(ARTIFACTS / f"nav-{role}-{width}.png"))
                results = page.evaluate(UNCOVERED)
                assert len(results) >= len(expected_links[role]) + 2
                blocked = [r for r in results if not (r["ok"] and r["inside"])]
                assert not blocked, f"{role} at {width}px: covered or off-screen links {blocked}"
                if width < 768 and role in ("client", "parent"):
                    # The check-in is in reach of a thumb: in the bottom bar.
                    check_in = page.locator(".tab-bar").get_by_role("link", name="Check in")
                    expect(check_in).to_be_visible()
                    assert check_in.bounding_box()["y"] > 844 - 80
            context.close()
