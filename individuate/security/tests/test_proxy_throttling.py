"""Behind the reverse proxy every request comes from the proxy's address: login throttling
must count the visitor's address from the proxy's header, or anyone can lock all logins."""

from __future__ import annotations

import os
import subprocess
import sys

from django.test import Client, override_settings
from django.urls import reverse

from conftest import PASSWORD, make_user
from individuate.accounts.models import User

PROXY = "10.0.0.1"


def _login(email: str, password: str, visitor: str) -> str:
    response = Client(REMOTE_ADDR=PROXY).post(
        reverse("account_login"),
        {"login": email, "password": password},
        HTTP_X_FORWARDED_FOR=f"{visitor}, 203.0.113.77" if visitor == "spoofed" else visitor,
    )
    if response.status_code == 302:
        return "logged in"
    return "throttled" if "too many" in response.content.decode().lower() else "refused"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_visitors_failures_do_not_lock_everyone_behind_the_proxy(alice: User) -> None:
    for n in range(21):  # more than the 20 failed logins an address may make in a minute
        _login(f"nobody{n}@example.com", "wrong-password", "198.51.100.7")
    assert _login("alice@example.com", PASSWORD, "198.51.100.7") == "throttled"  # that visitor is
    assert _login("alice@example.com", PASSWORD, "198.51.100.8") == "logged in"  # another visitor is not


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_visitor_cannot_escape_by_sending_their_own_forwarded_header(db: None) -> None:
    make_user("bob@example.com")
    for n in range(21):  # the proxy appends the real address (203.0.113.77) after the forged one
        _login(f"nobody{n}@example.com", "wrong-password", "spoofed")
    assert _login("bob@example.com", PASSWORD, "203.0.113.77") == "throttled"


def _settings_with(env: dict[str, str]) -> str:
    code = (
        "import individuate.config.settings as s;"
        "print(getattr(s, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0), getattr(s, 'ALLAUTH_TRUSTED_CLIENT_IP_HEADER', None))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_one_environment_setting_configures_allauth() -> None:
    assert _settings_with({"TRUSTED_PROXY_IP_HEADER": "X-Forwarded-For"}) == "1 None"
    assert _settings_with({"TRUSTED_PROXY_IP_HEADER": "HTTP_X_FORWARDED_FOR", "TRUSTED_PROXY_COUNT": "2"}) == "2 None"
    assert _settings_with({"TRUSTED_PROXY_IP_HEADER": "X-Real-IP"}) == "0 X-Real-IP"
    assert _settings_with({"TRUSTED_PROXY_IP_HEADER": ""}) == "0 None"


@override_settings(TRUSTED_PROXY_IP_HEADER="X-Forwarded-For", ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_comments_count_the_visitor_behind_the_proxy_as_logins_do() -> None:
    """The same one setting: article comments' per-address limits see the visitor, not the
    proxy (or everyone shares one address), and not a forged header either."""
    from django.test import RequestFactory

    from individuate.articles.views import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.77")
    assert client_ip(request) == "203.0.113.77"
