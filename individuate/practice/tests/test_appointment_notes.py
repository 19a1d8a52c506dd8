"""The e-mail says "a short note is waiting for you on the site": it is, for the person it was written for."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import connect
from individuate.accounts.models import User
from individuate.practice import actions
from individuate.practice.tests.test_booking import _open_all_week, _slot


def _page(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("practice:appointments")).content.decode()


def _mail_to(user: User) -> str:
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return str(message.body)


def test_a_declined_requests_note_is_shown_to_the_client_not_echoed_to_the_therapist(
    alice: User, therapist: User
) -> None:
    _open_all_week(therapist)
    connect(therapist, alice)
    appointment = actions.book(alice, therapist.pk, _slot(days=3))
    mail.outbox.clear()
    actions.decline(therapist, appointment.pk, "That week I am away; Thursday works.")
    to_client, to_therapist = _mail_to(alice), _mail_to(therapist)
    assert "waiting for you" in to_client and "Thursday" not in to_client
    assert "Thursday works" in _page(alice)
    # Its author is not told that a note is waiting for them: none is shown to them.
    assert "Thursday works" not in _page(therapist)
    assert "waiting for you" not in to_therapist and "Thursday" not in to_therapist


def test_a_clients_cancellation_note_is_shown_to_the_therapist(alice: User, therapist: User) -> None:
    _open_all_week(therapist, instant=True)
    connect(therapist, alice)
    appointment = actions.book(alice, therapist.pk, _slot(days=3))
    mail.outbox.clear()
    actions.cancel(alice, appointment.pk, "Feeling unwell, sorry")
    assert "Feeling unwell" in _page(therapist) and "waiting for you" in _mail_to(therapist)
    assert "Their note" not in _page(alice) and "waiting for you" not in _mail_to(alice)


def test_a_therapist_without_two_factor_is_not_told_of_a_note_they_cannot_see(alice: User, therapist: User) -> None:
    from allauth.mfa.models import Authenticator

    _open_all_week(therapist, instant=True)
    connect(therapist, alice)
    appointment = actions.book(alice, therapist.pk, _slot(days=3))
    Authenticator.objects.filter(user=therapist).delete()
    mail.outbox.clear()
    actions.cancel(alice, appointment.pk, "Feeling unwell, sorry")
    assert "Feeling unwell" not in _page(therapist) and "waiting for you" not in _mail_to(therapist)


def test_availability_api_matches_the_pages(alice: User, therapist: User, stranger: User) -> None:
    """The public page shows no hours; the API shows them only to the therapist themselves."""
    _open_all_week(therapist)
    url = f"/api/therapists/{therapist.pk}/availability"

    def get(user: User) -> dict[str, object]:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        return {"status": response.status_code, **(response.json() if response.status_code == 200 else {})}

    assert get(stranger)["status"] == 403
    connect(therapist, alice)
    seen = get(alice)
    assert seen["status"] == 200 and seen["weekly"] == [] and seen["session_minutes"] == 50
    own = get(therapist)
    assert own["status"] == 200 and len(own["weekly"]) == 7  # type: ignore[arg-type]
