"""Every exporter obeys the rule the pages obey: a therapist without two-factor, or after
the connection ended, gets no client's name or words — not even from their own export."""

from __future__ import annotations

import json
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import connect, make_therapist_user, make_user
from individuate.accounts.models import User
from individuate.boundaries import actions as boundaries
from individuate.core.privacy import export_records
from individuate.healing.models import StepSuggestion
from individuate.practice.models import Appointment, AppointmentEvent, ContactRequest

MARK = "ZEBRA-CLIENT-NAME"


def _a_clients_history(therapist: User) -> User:
    client = make_user("marked.client@example.com", MARK)
    connection = connect(therapist, client, scopes=("plans",))
    start = timezone.now() + timedelta(days=3)
    appointment = Appointment.objects.create(
        therapist=therapist,
        client=client,
        start=start,
        end=start + timedelta(minutes=50),
        status="cancelled",
        reason=f"{MARK} reason",
    )
    AppointmentEvent.objects.create(appointment=appointment, actor=client, kind="cancelled", note=f"{MARK} note")
    StepSuggestion.objects.create(therapist=therapist, client=client, plan_step=1, title="Say no once")
    ContactRequest.objects.create(therapist=therapist, name=MARK, email="z@example.com", message=MARK, ip_hash="x")
    client.connection_id = connection.pk  # type: ignore[attr-defined]
    return client


def _export_text(user: User) -> str:
    return json.dumps(export_records(user), default=str)


def test_a_therapist_with_two_factor_and_an_active_connection_exports_the_name(db: None) -> None:
    therapist = make_therapist_user("named.t@example.com", "Dr. Named")
    _a_clients_history(therapist)
    assert MARK in _export_text(therapist)


def test_a_therapist_without_two_factor_exports_no_client_name_or_words(db: None) -> None:
    therapist = make_therapist_user("nomfa.t@example.com", "Dr. No Two-Factor", mfa=False)
    _a_clients_history(therapist)
    assert MARK not in _export_text(therapist)
    Authenticator.objects.filter(user=therapist).delete()
    client = Client()
    client.force_login(therapist)
    assert MARK not in client.get(reverse("portal:practice_dashboard")).content.decode()


def test_after_the_connection_ended_the_export_names_nobody(db: None) -> None:
    therapist = make_therapist_user("ended.t@example.com", "Dr. Ended")
    client = _a_clients_history(therapist)
    boundaries.end_connection(client, client.connection_id)  # type: ignore[attr-defined]
    ContactRequest.objects.all().delete()  # public requests are not a connection's
    assert MARK not in _export_text(therapist)
    assert MARK in _export_text(client)  # the client's own export keeps their words


def test_the_api_export_token_takes_a_current_totp_code_where_two_factor_is_on(db: None) -> None:
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    therapist = make_therapist_user("code.t@example.com", "Dr. Code")
    client = Client()
    client.force_login(therapist)
    wrong = client.post("/api/me/export-token", {"code": "000000"}, content_type="application/json")
    assert wrong.status_code == 403
    secret = decrypt(Authenticator.objects.get(user=therapist, type="totp").data["secret"])
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    got = client.post("/api/me/export-token", {"code": code}, content_type="application/json")
    assert got.status_code == 201
    assert client.get("/api/me/export", {"token": got.json()["token"]}).status_code == 200
