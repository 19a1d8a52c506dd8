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


def test_a_declined_requests_note_is_shown_to_the_client_not_echoed_to_the_therapist(
    alice: User, therapist: User
) -> None:
    _open_all_week(therapist)
    connect(therapist, alice)
    appointment = actions.book(alice, therapist.pk, _slot(days=3))
    mail.outbox.clear()
    actions.decline(therapist, appointment.pk, "That week I am away; Thursday works.")
    assert "waiting for you" in mail.outbox[0].body and "Thursday" not in mail.outbox[0].body
    assert "Thursday works" in _page(alice)
    assert "Thursday works" not in _page(therapist)


def test_a_clients_cancellation_note_is_shown_to_the_therapist(alice: User, therapist: User) -> None:
    _open_all_week(therapist, instant=True)
    connect(therapist, alice)
    appointment = actions.book(alice, therapist.pk, _slot(days=3))
    actions.cancel(alice, appointment.pk, "Feeling unwell, sorry")
    assert "Feeling unwell" in _page(therapist)
    assert "Their note" not in _page(alice)


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
