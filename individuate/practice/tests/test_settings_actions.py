"""Days off and extra hours, the calendar address and the inbox: actions with their rules,
and the pages that call them."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse

from individuate.accounts.models import User
from individuate.core.errors import ActionError
from individuate.practice import actions
from individuate.practice.models import AvailabilityException, ContactRequest, PracticeProfile


@pytest.mark.parametrize(
    ("kind", "start", "end", "message"),
    [
        ("holiday", None, None, "day off or extra hours"),
        ("extra", None, None, "need a start and an end"),
        ("extra", time(12), time(9), "end must come after"),
    ],
)
def test_bad_exceptions_are_refused_and_store_nothing(
    therapist: User, kind: str, start: time | None, end: time | None, message: str
) -> None:
    with pytest.raises(ActionError, match=message):
        actions.add_availability_exception(therapist, day=date(2030, 1, 2), kind=kind, start=start, end=end)
    assert not AvailabilityException.objects.exists()


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_exception_page_validates_with_a_form(therapist: User) -> None:
    client = _logged_in(therapist)
    bad = client.post(reverse("practice:exception_add"), {"day": "31.02.2030", "kind": "off"}, follow=True)
    assert "Give a date like" in bad.content.decode()
    client.post(
        reverse("practice:exception_add"), {"day": "2030-01-02", "kind": "extra", "start": "09:00", "end": "12:00"}
    )
    assert AvailabilityException.objects.get(therapist=therapist).end == time(12)


def test_rotating_the_feed_makes_the_old_address_stop_working(therapist: User) -> None:
    old = actions.profile_of(therapist).feed_token
    assert Client().get(f"/practice/feed/{old}.ics").status_code == 200
    browser = _logged_in(therapist)
    asked = browser.post(reverse("practice:feed_rotate"))
    assert asked.status_code == 200 and PracticeProfile.objects.get(therapist=therapist).feed_token == old
    browser.post(reverse("practice:feed_rotate"), {"confirmed": "yes"})
    new = PracticeProfile.objects.get(therapist=therapist).feed_token
    assert new != old
    assert Client().get(f"/practice/feed/{old}.ics").status_code == 404
    assert Client().get(f"/practice/feed/{new}.ics").status_code == 200


def test_only_the_addressed_therapist_marks_a_request_answered(therapist: User, outsider: User) -> None:
    contact = ContactRequest.objects.create(therapist=therapist, name="Vera", email="v@example.org", message="Hello")
    with pytest.raises(ActionError):
        actions.mark_contact_handled(outsider, contact.pk)
    contact.refresh_from_db()
    assert contact.handled_at is None
    actions.mark_contact_handled(therapist, contact.pk)
    contact.refresh_from_db()
    assert contact.handled_at is not None
