"""The public request form's limits: per mailbox as the mail provider sees it (``+tags``
and Gmail's dots folded) and per connection, for each therapist and across all of them."""

from __future__ import annotations

import pytest

from conftest import make_therapist_user
from individuate.accounts.models import User
from individuate.core.errors import ActionError
from individuate.core.limits import address_hash, normalise_mailbox
from individuate.practice import actions as practice
from individuate.practice.models import ContactRequest


def test_mailboxes_are_compared_as_the_provider_delivers() -> None:
    assert normalise_mailbox(" Kim.Lee+therapy@GoogleMail.com ") == "kimlee@gmail.com"
    assert normalise_mailbox("k.i.m.lee@gmail.com") == "kimlee@gmail.com"
    assert normalise_mailbox("Kim.Lee+x@Example.com") == "kim.lee@example.com"  # other providers keep dots
    assert address_hash("kim.lee@gmail.com") == address_hash("KIMLEE+a@googlemail.com")
    assert address_hash("kim.lee@example.com") != address_hash("kimlee@example.com")


def _send(therapist: User, email: str, ip: str) -> bool:
    try:
        practice.submit_contact_request(
            therapist,
            name="Kim",
            email=email,
            phone="",
            message="Hello, I would like to talk.",
            preferred_times="",
            ip=ip,
        )
    except ActionError:
        return False
    return True


@pytest.fixture
def therapists(db: None) -> list[User]:
    return [make_therapist_user(f"limit.t{n}@example.com", f"Dr. Limit {n}") for n in range(4)]


def test_one_mailbox_reaches_at_most_six_therapists_a_day_however_it_is_spelled(therapists: list[User]) -> None:
    spellings = ["kim.lee@gmail.com", "kimlee@gmail.com", "Kim.Lee+a@googlemail.com", "k.imlee+b@gmail.com"]
    sent = [_send(therapists[n % 4], spellings[n % 4], f"10.0.{n}.1") for n in range(8)]
    assert sent == [True] * 6 + [False] * 2
    assert ContactRequest.objects.count() == 6


def test_one_connection_sends_at_most_ten_requests_an_hour_across_therapists(therapists: list[User]) -> None:
    sent = [_send(therapists[n % 4], f"person{n}@example.com", "198.51.100.9") for n in range(12)]
    assert sent == [True] * 10 + [False] * 2
