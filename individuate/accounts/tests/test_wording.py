"""One style of wording on allauth's pages and e-mails: "Log in", sentence case, our site's name."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_allauth_pages_say_log_in_in_sentence_case(db: None) -> None:
    login = _text(Client().get(reverse("account_login")).content.decode())
    assert "Log in" in login and "Remember me" in login
    assert "Sign In" not in login and "Remember Me" not in login
    signup = _text(Client().get(reverse("account_signup")).content.decode())
    assert "Sign up" in signup and "Sign Up" not in signup and "Signup" not in signup
    assert "Password reset" in _text(Client().get(reverse("account_reset_password")).content.decode())


def test_signup_email_greets_with_the_site_name_not_the_host(db: None) -> None:
    Client().post(
        reverse("account_signup"),
        {"email": "kit@example.com", "password1": PASSWORD, "password2": PASSWORD, "time_zone": "UTC"},
    )
    body = mail.outbox[-1].body
    assert body.startswith("Hello from Individuate.")
    assert "Hello from 127.0.0.1" not in body and "Hello from testserver" not in body
    assert mail.outbox[-1].subject.startswith("[Individuate] ")
