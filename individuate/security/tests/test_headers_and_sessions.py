"""Hardening that every response shares: CSP, Permissions-Policy, no caching of personal
data, HTTPS when SECURE_SSL is on, and sessions that end when left alone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from django.test import Client, override_settings
from django.urls import reverse

from conftest import make_therapist_user
from individuate.accounts.models import User
from individuate.core.middleware import IdleSessionMiddleware


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_has_a_csp_without_inline_script_and_a_permissions_policy(alice: User) -> None:
    for client, path in ((Client(), "/"), (_as(alice), reverse("portal:dashboard")), (_as(alice), "/api/me")):
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", csp)
        assert script_src and script_src.group(1).strip() == "'self'"
        assert "frame-ancestors 'none'" in csp and "camera=()" in response["Permissions-Policy"]


def test_pages_carry_no_inline_script(alice: User) -> None:
    """What the CSP would block: every <script> has a src (or is JSON data)."""
    client = _as(alice)
    for name in (
        "portal:dashboard",
        "boundaries:others",
        "checkins:journal",
        "checkins:coupling",
        "healing:plan",
        "accounts:settings",
        "practice:appointments",
    ):
        page = client.get(reverse(name)).content.decode()
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag, (name, tag)
        assert not re.search(r"\son[a-z]+=", page), name  # no inline event handlers
        assert '"includeIndicatorStyles": false' in page


def test_personal_responses_are_not_stored_by_any_cache(alice: User) -> None:
    client = _as(alice)
    assert client.get(reverse("checkins:journal")).get("Cache-Control") == "no-store"
    assert client.get("/api/me").get("Cache-Control") == "no-store"
    assert Client().get(reverse("account_login")).get("Cache-Control") == "no-store"


def _settings_with(env: dict[str, str]) -> str:
    code = "import individuate.config.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)
    return out.stdout.strip()


def test_secure_ssl_turns_on_the_redirect_and_hsts() -> None:
    assert _settings_with({"SECURE_SSL": "1"}) == "True 31536000"
    assert _settings_with({"SECURE_SSL": "0"}) == "False 0"


@override_settings(SESSION_IDLE_MINUTES=240, SESSION_IDLE_MINUTES_THERAPIST=30)
def test_idle_sessions_end_sooner_for_therapists(alice: User) -> None:
    therapist = make_therapist_user("idle.t@example.com", "Dr. Idle")
    for user, idle_minutes, still_in in ((therapist, 31, False), (alice, 31, True), (alice, 241, False)):
        client = _as(user)
        assert client.get(reverse("portal:dashboard")).status_code == 200
        session = client.session
        session[IdleSessionMiddleware.KEY] = int(time.time()) - idle_minutes * 60
        session.save()
        response = client.get(reverse("portal:dashboard"))
        assert (response.status_code == 200) is still_in, (user, idle_minutes)
        if not still_in:
            assert reverse("account_login") in response["Location"]
            assert client.get("/api/me").status_code == 401
