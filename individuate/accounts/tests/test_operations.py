"""Settings, system checks, demo data, the crisis link, and the task worker."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from individuate.accounts.models import User
from individuate.config import settings as production_settings
from individuate.core.checks import refuse_to_serve_if_unsafe
from individuate.core.mail import queue_email


def test_production_hashes_passwords_with_argon2() -> None:
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@override_settings(DEBUG=False, SECRET_KEY=production_settings.DEV_SECRET_KEY)
def test_refuses_to_serve_with_default_secret_key_when_debug_is_off(capsys: pytest.CaptureFixture[str]) -> None:
    assert "individuate.E001" in [e.id for e in run_checks(include_deployment_checks=True)]
    with pytest.raises(SystemExit) as exited:
        refuse_to_serve_if_unsafe()
    assert exited.value.code == 4  # gunicorn's "App failed to load": the master stops too
    assert "individuate.E001" in capsys.readouterr().err


@override_settings(DEBUG=False, SECRET_KEY=production_settings.DEV_SECRET_KEY)
def test_management_commands_run_with_the_development_key() -> None:
    """createsuperuser, demo_totp, score_measure: the README's commands work as written."""
    assert "individuate.E001" not in [e.id for e in run_checks()]


@override_settings(DEBUG=False, SECRET_KEY="a-real-secret-" * 4)
def test_accepts_a_real_secret_key() -> None:
    assert "individuate.E001" not in [e.id for e in run_checks(include_deployment_checks=True)]


def test_seed_demo_is_idempotent_and_fictional(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    call_command("seed_demo")
    # therapist, adult child, parent, and the two parents in mediation
    assert User.objects.filter(is_demo=True, is_active=True).count() == 5
    from individuate.mediation.models import Case

    assert Case.objects.count() == 1  # the demo mediation case, once
    # The anonymous practice sample for the psychometrics page cannot log in.
    assert User.objects.filter(is_demo=True, is_active=False).count() == 40
    assert all(u.email.endswith("@example.com") for u in User.objects.all())
    out = capsys.readouterr().out
    assert "therapist@example.com" in out and "demo_totp" in out


def test_demo_totp_prints_a_code_for_demo_accounts_only(alice: User, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    capsys.readouterr()
    call_command("demo_totp", "therapist@example.com")
    code = capsys.readouterr().out.split()[0]
    assert code.isdigit() and len(code) == 6
    with pytest.raises(CommandError, match="Refused"):
        call_command("demo_totp", "alice@example.com")


@pytest.mark.parametrize(
    "name", ["core:home", "core:crisis", "account_login", "account_signup", "boundaries:therapists"]
)
def test_crisis_link_on_public_pages(db: None, name: str) -> None:
    body = Client().get(reverse(name)).content.decode()
    assert 'href="/crisis/"' in body


@pytest.mark.parametrize(
    "name",
    [
        "portal:dashboard",
        "boundaries:others",
        "boundaries:my_therapists",
        "boundaries:access_log",
        "accounts:settings",
        "accounts:api_tokens",
        "accounts:export",
    ],
)
def test_crisis_link_on_signed_in_pages(alice: User, name: str) -> None:
    client = Client()
    client.force_login(alice)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'href="/crisis/"' in response.content.decode()


def test_crisis_page_lists_emergency_help(db: None) -> None:
    body = Client().get(reverse("core:crisis")).content.decode()
    assert "112" in body and "not an emergency service" in body and "medical advice" in body


@pytest.mark.django_db(transaction=True)
def test_database_task_worker_sends_queued_email() -> None:
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        queue_email(
            "boundaries/connection-request", to="someone@example.com", context={"dashboard_path": "/dashboard/"}
        )
        assert not mail.outbox, "the database backend only queues; the worker sends"
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    assert [m.to for m in mail.outbox] == [["someone@example.com"]]
    assert "connection request" in mail.outbox[0].subject.lower()
