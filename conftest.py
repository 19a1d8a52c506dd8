"""Shared test fixtures: the same fictional cast everywhere, so tests read like a story.

* ``alice`` — an adult child; tracks "my mother"; linked with ``mother``'s account.
* ``mother`` — alice's parent, with her own account, linked to alice.
* ``stranger`` — another client, unconnected to anyone.
* ``therapist`` — alice's connected therapist, two-factor on.
* ``outsider`` — a therapist with two-factor on, not connected to alice.
"""

from __future__ import annotations

import os

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from individuate.accounts.actions import make_therapist
from individuate.accounts.models import User
from individuate.boundaries.models import (
    ConsentGrant,
    FamilyLink,
    TherapistConnection,
    TrackedPerson,
    new_token,
)

PASSWORD = "a-long-test-password-1"

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run inside one unless told it is safe (it is: tests are sequential).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()  # rate limits and TOTP replay markers live in the cache


def make_user(email: str, name: str = "", **extra: object) -> User:
    user = User.objects.create_user(email, PASSWORD, display_name=name, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def fresh_login(user: User) -> Client:
    """A client logged in with the password and just re-authenticated ("sudo mode"),
    as a person is after confirming their password for export, tokens or deletion."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def make_therapist_user(email: str, name: str, mfa: bool = True) -> User:
    user = make_therapist(make_user(email), name, credentials="Test credentials")
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def connect(therapist: User, client: User, scopes: tuple[str, ...] = ()) -> TherapistConnection:
    connection = TherapistConnection.objects.create(
        therapist=therapist, client=client, initiated_by="client", status="active"
    )
    for scope in scopes:
        ConsentGrant.objects.create(connection=connection, scope=scope)
    return connection


def link(a: User, a_other: TrackedPerson, b: User, b_other: TrackedPerson) -> FamilyLink:
    return FamilyLink.objects.create(
        inviter=a,
        inviter_other=a_other,
        invitee_email=b.email,
        invitee=b,
        invitee_other=b_other,
        status="active",
        token_hash=new_token()[1],
    )


@pytest.fixture
def alice(db: None) -> User:
    user = make_user("alice@example.com", "Alice", perspective="adult_child")
    TrackedPerson.objects.create(owner=user, name="my mother", role="parent")
    return user


@pytest.fixture
def mother(db: None, alice: User) -> User:
    user = make_user("mother@example.com", "Margit", perspective="parent")
    daughter = TrackedPerson.objects.create(owner=user, name="my daughter", role="child")
    link(alice, alice.others.get(name="my mother"), user, daughter)
    return user


@pytest.fixture
def stranger(db: None) -> User:
    return make_user("stranger@example.com", "Sam")


@pytest.fixture
def therapist(db: None) -> User:
    return make_therapist_user("therapist@example.com", "Dr. Test Therapist")


@pytest.fixture
def outsider(db: None) -> User:
    return make_therapist_user("outsider@example.com", "Dr. Unconnected")
