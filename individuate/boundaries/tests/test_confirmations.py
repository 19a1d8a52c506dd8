"""Nothing that cannot be taken back happens on one click: the first click says exactly
what will happen and asks."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import connect, fresh_login
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.boundaries.models import TherapistConnection, TrackedPerson
from individuate.checkins import actions as checkins
from individuate.practice.models import Appointment


def _book(therapist: User, client: User, days: int) -> Appointment:
    start = timezone.now() + timedelta(days=days)
    return Appointment.objects.create(
        therapist=therapist, client=client, start=start, end=start + timedelta(minutes=50), status="confirmed"
    )


def test_ending_a_connection_first_says_how_many_sessions_will_be_cancelled(alice: User, therapist: User) -> None:
    connection = connect(therapist, alice, ("measures", "checkins"))
    for days in (2, 5, 9):
        _book(therapist, alice, days)
    client = Client()
    client.force_login(alice)
    page = client.post(reverse("boundaries:connection_end", args=[connection.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "End this connection?" in text
    assert "Cancel 3 booked sessions" in text and "the therapist is told by e-mail" in text
    assert "check-ins" in text.lower() and "measures" in text.lower()  # what they could see until now
    connection.refresh_from_db()
    assert connection.status == "active"
    assert Appointment.objects.filter(status="confirmed").count() == 3

    client.post(reverse("boundaries:connection_end", args=[connection.pk]), {"confirmed": "yes"})
    connection.refresh_from_db()
    assert connection.status == "ended"
    assert Appointment.objects.filter(status="cancelled").count() == 3


def test_therapist_ending_without_two_factor_is_not_shown_the_client_name(alice: User) -> None:
    from conftest import make_therapist_user

    no_mfa = make_therapist_user("nomfa@example.com", "Dr. No Code", mfa=False)
    connection = connect(no_mfa, alice)
    _book(no_mfa, alice, 3)
    client = Client()
    client.force_login(no_mfa)
    text = client.post(reverse("boundaries:connection_end", args=[connection.pk])).content.decode()
    assert "this client" in text and alice.name not in text
    assert "Cancel 1 booked session " in text and "the client is told" in text


def test_withdrawing_a_pending_request_asks_too(alice: User, therapist: User) -> None:
    connection = TherapistConnection.objects.create(
        therapist=therapist, client=alice, initiated_by="client", status="pending"
    )
    client = Client()
    client.force_login(alice)
    text = client.post(reverse("boundaries:connection_end", args=[connection.pk])).content.decode()
    assert "Withdraw this request?" in text
    connection.refresh_from_db()
    assert connection.status == "pending"


def test_removing_a_person_says_what_is_deleted_with_them(alice: User) -> None:
    mother = alice.others.get(name="my mother")
    checkins.save_checkin(alice, mood=4, perceived={mother.pk: 3})
    checkins.add_contact(alice, other_id=mother.pk, kind="call", response="at_once", guilt_after=6)
    checkins.add_contact(alice, other_id=mother.pk, kind="visit", response="declined")
    client = Client()
    client.force_login(alice)
    text = client.post(reverse("boundaries:other_remove", args=[mother.pk])).content.decode()
    assert "Remove “my mother”?" in text
    assert "1 rating of how they seemed" in text and "2 logged contacts with them" in text
    assert TrackedPerson.objects.filter(pk=mother.pk).exists()
    client.post(reverse("boundaries:other_remove", args=[mother.pk]), {"confirmed": "yes"})
    assert not TrackedPerson.objects.filter(pk=mother.pk).exists()


def test_the_confirmation_carries_the_rest_of_the_form(alice: User) -> None:
    """The confirm page posts back what the first click sent (e.g. a next address)."""
    mother = alice.others.get(name="my mother")
    client = Client()
    client.force_login(alice)
    text = client.post(reverse("boundaries:other_remove", args=[mother.pk]), {"next": "/people/"}).content.decode()
    assert 'name="next" value="/people/"' in text and 'name="confirmed" value="yes"' in text


def test_revoking_an_api_token_asks_first(alice: User) -> None:
    token, _ = issue_api_token(alice, "my laptop")
    client = fresh_login(alice)
    text = client.post(reverse("accounts:api_token_revoke", args=[token.pk])).content.decode()
    assert "Revoke the token “my laptop”?" in text and "stops working at once" in text
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(reverse("accounts:api_token_revoke", args=[token.pk]), {"confirmed": "yes"})
    token.refresh_from_db()
    assert token.revoked_at is not None
