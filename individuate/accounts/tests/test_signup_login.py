"""Accounts through allauth: verified sign-up, lock-out, two-factor, password reset."""

from __future__ import annotations

import re
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_therapist_user
from individuate.accounts.models import User


def _signup(client: Client, email: str) -> None:
    client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "display_name": "Kit",
            "perspective": "parent",
            "time_zone": "Asia/Kolkata",
            "agree": "on",
        },
    )


def test_signup_requires_email_verification(db: None) -> None:
    client = Client()
    _signup(client, "kit@example.com")
    user = User.objects.get(email="kit@example.com")
    assert (user.display_name, user.perspective, user.time_zone) == (
        "Kit",
        "parent",
        "Asia/Kolkata",
    )
    assert user.role == "person"
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    # Not verified yet: the dashboard is not reachable.
    assert client.get(reverse("portal:dashboard")).status_code == 302
    link = re.search(r"https?://[^\s]+(/accounts/confirm-email/[^\s/]+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    client.post(link.group(1))
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_duplicate_email_signup_creates_nothing(alice: User) -> None:
    client = Client()
    _signup(client, "ALICE@example.com")
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


def test_login_locks_out_after_repeated_failures(alice: User) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "alice@example.com", "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": "alice@example.com", "password": PASSWORD})
    assert client.get(reverse("portal:dashboard")).status_code == 302, (
        "the right password must not work while locked out"
    )
    assert response.status_code in (200, 429)


def test_therapist_login_asks_for_a_totp_code(db: None) -> None:
    therapist = make_therapist_user("t@example.com", "Dr. T")
    client = Client()
    response = client.post(reverse("account_login"), {"login": "t@example.com", "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"]
    assert client.get(reverse("portal:dashboard")).status_code == 302
    secret = decrypt(Authenticator.objects.get(user=therapist, type="totp").data["secret"])
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post(response["Location"], {"code": code})
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_password_reset_sends_a_link(alice: User) -> None:
    Client().post(reverse("account_reset_password"), {"email": "alice@example.com"})
    assert mail.outbox and "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_change_email_takes_effect_after_verifying_the_new_address(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    client.post(reverse("account_email"), {"email": "alice.new@example.com", "action_add": ""})
    assert mail.outbox[-1].to == ["alice.new@example.com"]
    alice.refresh_from_db()
    assert alice.email == "alice@example.com", "not changed before the new address is verified"
    link = re.search(r"(/accounts/confirm-email/[^\s/]+/)", mail.outbox[-1].body)
    assert link
    client.post(link.group(1))
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"


def test_recovery_code_works_once_instead_of_totp(db: None) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    therapist = make_therapist_user("t@example.com", "Dr. T")
    code = RecoveryCodes.activate(therapist).get_unused_codes()[0]
    for attempt in range(2):
        client = Client()
        response = client.post(reverse("account_login"), {"login": "t@example.com", "password": PASSWORD})
        client.post(response["Location"], {"code": code})
        dashboard = client.get(reverse("portal:dashboard")).status_code
        assert dashboard == (200 if attempt == 0 else 302)
