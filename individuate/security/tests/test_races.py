"""Every limit holds when many requests arrive at once, through the HTTP API and pages.

Threads with their own test clients (and so their own database connections) wait on a
barrier and post together — like the booking races in practice/tests/test_booking.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_therapist_user, make_user
from individuate.accounts.models import User
from individuate.boundaries import actions as boundaries
from individuate.boundaries.models import FamilyLink, TherapistConnection, TrackedPerson
from individuate.practice import actions as practice
from individuate.practice import forms as practice_forms
from individuate.practice.models import ContactRequest

N = 10


def _race(clients: list[Client], post: Callable[[int, Client], int]) -> Counter[int]:
    """Run ``post(i, client)`` in N threads at once; count the status codes."""
    barrier = threading.Barrier(len(clients))
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            status = post(i, clients[i])
        except Exception as exc:  # noqa: BLE001 - a crash counts as a 5xx
            status = 599
            print(repr(exc))
        finally:
            connections.close_all()
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return statuses


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_invitations_from_one_account_give_five() -> None:
    parent = make_user("racing.parent@example.com", "Parent")
    others = [TrackedPerson.objects.create(owner=parent, name=f"person {i}", role="child") for i in range(N)]
    clients = [_logged_in(parent) for _ in range(N)]
    statuses = _race(
        clients,
        lambda i, c: (
            c.post(
                f"/api/others/{others[i].pk}/invite", {"email": f"kid{i}@example.com"}, content_type="application/json"
            ).status_code
        ),
    )
    assert statuses == Counter({201: boundaries.INVITES_PER_DAY, 409: N - boundaries.INVITES_PER_DAY}), statuses
    assert FamilyLink.objects.count() == boundaries.INVITES_PER_DAY


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_invitations_to_one_address_send_one_email() -> None:
    parents = [make_user(f"account{i}@example.com", "Parent") for i in range(N)]
    others = [TrackedPerson.objects.create(owner=p, name="my kid", role="child") for p in parents]
    clients = [_logged_in(p) for p in parents]
    mail.outbox.clear()
    statuses = _race(
        clients,
        lambda i, c: (
            c.post(
                f"/api/others/{others[i].pk}/invite",
                {"email": "the.child@example.com"},
                content_type="application/json",
            ).status_code
        ),
    )
    assert statuses == Counter({201: N}), statuses  # nobody is told the e-mail was not sent
    assert [m.to for m in mail.outbox] == [["the.child@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_connection_requests_give_five() -> None:
    therapists = [make_therapist_user(f"t{i}@example.com", f"Dr. T{i}") for i in range(N)]
    client_user = make_user("eager.client@example.com", "Eager")
    clients = [_logged_in(client_user) for _ in range(N)]
    statuses = _race(
        clients,
        lambda i, c: (
            c.post("/api/connections", {"therapist_id": therapists[i].pk}, content_type="application/json").status_code
        ),
    )
    limit = boundaries.CONNECTION_REQUESTS_PER_DAY
    assert statuses == Counter({201: limit, 409: N - limit}), statuses
    assert TherapistConnection.objects.count() == limit


@pytest.mark.django_db(transaction=True)
def test_simultaneous_public_requests_hold_the_mailbox_and_connection_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(practice_forms, "MIN_FILL_SECONDS", 0)
    therapist = make_therapist_user("public.t@example.com", "Dr. Public")
    url = reverse("practice:public_profile", args=[practice.profile_of(therapist).slug])
    tokens = [Client().get(url).context["form"].initial["started"] for _ in range(2 * N)]
    form = {"name": "Kim", "message": "Hello, I would like to talk."}

    def post(i: int, c: Client, *, email: str, ip: str) -> int:
        return c.post(url, form | {"email": email, "started": tokens[i]}, REMOTE_ADDR=ip).status_code

    # One mailbox, many connections: three a day.
    _race([Client() for _ in range(N)], lambda i, c: post(i, c, email="kim@example.com", ip=f"10.0.0.{i}"))
    assert ContactRequest.objects.count() == 3
    # One connection, many mailboxes: five an hour.
    _race([Client() for _ in range(N)], lambda i, c: post(N + i, c, email=f"p{i}@example.com", ip="10.9.9.9"))
    assert ContactRequest.objects.count() == 3 + 5


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_wrong_passwords_get_at_most_five_tries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-authentication lock-out counts attempts under a lock: a burst of guesses at
    once is not checked all against the same count of zero. (Checking a password takes a
    while in production, Argon2; the fast test hasher is slowed down to match.)"""
    import time

    from individuate.accounts.actions import REAUTH_FAILURES

    check_password = User.check_password

    def slow_check(self: User, raw: str) -> bool:
        time.sleep(0.2)
        return check_password(self, raw)

    monkeypatch.setattr(User, "check_password", slow_check)
    user = make_user("guessed@example.com", "Guessed")
    clients = [_logged_in(user) for _ in range(N)]
    statuses = _race(
        clients,
        lambda i, c: (
            c.post("/api/me/export-token", {"password": f"guess-{i}"}, content_type="application/json").status_code
        ),
    )
    assert statuses == Counter({403: REAUTH_FAILURES, 429: N - REAUTH_FAILURES}), statuses


@pytest.mark.django_db(transaction=True)
def test_one_export_token_downloads_once_however_many_ask_at_once() -> None:
    from individuate.accounts.actions import issue_export_token

    user = make_user("exporter@example.com", "Exporter")
    token = issue_export_token(user, password=PASSWORD)
    clients = [_logged_in(user) for _ in range(N)]
    statuses = _race(clients, lambda i, c: c.get("/api/me/export", {"token": token}).status_code)
    assert statuses == Counter({200: 1, 403: N - 1}), statuses


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_therapist_invitations_to_one_address_give_one() -> None:
    therapist = make_therapist_user("inviting.t@example.com", "Dr. Inviting")
    clients = [_logged_in(therapist) for _ in range(N)]
    mail.outbox.clear()
    statuses = _race(
        clients,
        lambda i, c: (
            c.post(
                "/api/connections/invite", {"email": "new.client@example.com"}, content_type="application/json"
            ).status_code
        ),
    )
    assert statuses == Counter({201: 1, 409: N - 1}), statuses
    assert TherapistConnection.objects.filter(invite_email="new.client@example.com").count() == 1
    assert [m.to for m in mail.outbox] == [["new.client@example.com"]]
