"""axe-core on the main pages of every persona (client, parent, therapist, visitor) at
phone and desktop width: no serious or critical violation. The rules engine is vendored
(individuate/testing/vendor/axe.min.js, MPL-2.0) and injected into each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from individuate.accounts.models import User
from individuate.testing.browser import browser, playwright, session_cookie

AXE = Path(__file__).resolve().parents[2] / "testing" / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")

RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " — " + n.failureSummary.split("\\n").slice(0, 2).join(" ")),
  }));
}
"""


def _pages(robin: User, ellen: User) -> dict[str, list[str]]:
    from individuate.measures.actions import start_response
    from individuate.measures.models import Response

    result = Response.objects.filter(owner=robin, instrument="phq9", status="completed").latest("completed_at")
    one = start_response(robin, "gad7", "one")
    every = start_response(ellen, "enmeshment-parent", "all")
    screener = Response.objects.filter(owner=robin, instrument="enmeshment-child", status="completed").latest(
        "completed_at"
    )
    return {
        "robin@example.com": [
            "/dashboard/", "/checkin/", "/checkin/history/", "/patterns/", "/contacts/", "/journal/",
            "/measures/", f"/measures/r/{result.pk}/result/", f"/measures/r/{screener.pk}/result/",
            "/plan/", "/plan/progress/", "/appointments/", "/people/", "/connections/", "/settings/",
            f"/measures/r/{one.pk}/", f"/measures/r/{one.pk}/?q=7",
        ],
        "ellen@example.com": ["/dashboard/", "/checkin/", "/measures/", f"/measures/r/{every.pk}/", "/plan/", "/people/"],
        "therapist@example.com": [
            "/dashboard/", "/clients/", f"/clients/{robin.pk}/measures/", "/practice/", "/practice/settings/",
            "/practice/public-page/",
        ],
        "": ["/", "/crisis/", "/therapists/", "/for-professionals/", "/accounts/login/", "/accounts/signup/", "/privacy/"],
    }  # fmt: skip


@pytest.mark.browser
def test_main_pages_of_every_persona_have_no_serious_accessibility_violations(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    call_command("seed_demo", verbosity=0)
    robin, ellen = User.objects.get(email="robin@example.com"), User.objects.get(email="ellen@example.com")
    found: list[str] = []
    checked = 0
    source = AXE.read_text(encoding="utf-8") + "\n;undefined"
    with browser(sync_playwright, expect) as new_context:
        for email, paths in _pages(robin, ellen).items():
            context = new_context()
            if email:
                context.add_cookies([session_cookie(User.objects.get(email=email), live_server.url)])
            page = context.new_page()
            if email == "robin@example.com":
                # a page with a message on it (the list of messages is checked too)
                page.goto(live_server.url + "/journal/")
                page.fill("textarea[name=text]", "A walk by the river.")
                page.locator("main form").filter(has=page.locator("textarea[name=text]")).locator(
                    "button[type=submit], button:not([type])"
                ).first.click()
                expect(page.locator(".messages")).to_be_visible()
                page.evaluate(source)
                checked += 1
                found += [
                    f"robin /journal/ with a message: {v['id']} ({v['impact']})"
                    for v in page.evaluate(RUN_AXE)
                    if v["impact"] in SERIOUS
                ]
            for width, height in ((390, 844), (1280, 900)):
                page.set_viewport_size({"width": width, "height": height})
                for path in paths:
                    response = page.goto(live_server.url + path)
                    assert response is not None and response.ok, (
                        f"{email or 'visitor'} {path}: {response and response.status}"
                    )
                    assert page.url.rstrip("/").endswith(path.rstrip("/")) or path == "/", f"{path} went to {page.url}"
                    # Evaluated through the DevTools protocol: the page's own CSP (no inline
                    # scripts) stays on, as people get it.
                    page.evaluate(source)
                    checked += 1
                    for v in page.evaluate(RUN_AXE):
                        if v["impact"] in SERIOUS:
                            found.append(
                                f"{email or 'visitor'} {path} @{width}px: {v['id']} ({v['impact']}) {v['help']}\n      "
                                + "\n      ".join(v["nodes"])
                            )
            context.close()
    assert checked >= 60
    # The check can fail: a picture without a text alternative is a critical violation.
    with browser(sync_playwright, expect) as new_context:
        page = new_context().new_page()
        page.goto(live_server.url + "/")
        page.evaluate(
            "() => { const i = document.createElement('img'); i.src = '/static/x.png'; document.querySelector('main').append(i); }"
        )
        page.evaluate(source)
        assert "image-alt" in {v["id"] for v in page.evaluate(RUN_AXE) if v["impact"] in SERIOUS}
    assert not found, "serious accessibility violations:\n" + "\n".join(found)


def test_the_vendored_axe_is_the_published_file() -> None:
    text = AXE.read_text(encoding="utf-8")
    assert text.startswith("/*! axe v4.14.1") and "Mozilla Public" in text[:400]
    assert (AXE.parent / "axe-core.LICENSE").read_text().startswith("Mozilla Public License")
