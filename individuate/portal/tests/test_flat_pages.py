"""Pages that list clients stay flat: their query count does not grow with the number of
clients, and every read is still decided by the policy and logged."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import connect, make_therapist_user, make_user
from individuate.accounts.models import User
from individuate.boundaries import policy
from individuate.boundaries.models import AccessEvent
from individuate.healing.actions import add_goal, start_plan
from individuate.measures import actions as measures


def _clients(therapist: User, n: int, offset: int) -> list[User]:
    people = []
    for k in range(n):
        client = make_user(f"flat{offset + k}@example.com", f"Client {offset + k}")
        connect(therapist, client, scopes=("measures", "plans") if k % 2 == 0 else ("measures",))
        response = measures.start_response(client, "gad7")
        measures.save_answers(client, response.pk, {f"gad7_{i}": 1 for i in range(1, 8)})
        measures.submit_response(client, response.pk)
        start_plan(client, "adult-child")
        add_goal(client, "adult-child", "space", "A goal")
        people.append(client)
    return people


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["portal:practice_dashboard", "portal:clients", "portal:dashboard"])
def test_therapist_pages_do_not_grow_with_clients(url_name: str) -> None:
    therapist = make_therapist_user("flat-therapist@example.com", "Dr. Flat")
    browser = Client()
    browser.force_login(therapist)
    _clients(therapist, 2, 0)
    few = _count(browser, reverse(url_name))
    _clients(therapist, 20, 100)
    many = _count(browser, reverse(url_name))
    assert many <= few + 3, f"{url_name}: {few} queries for 2 clients, {many} for 22"


@pytest.mark.django_db
def test_check_many_decides_exactly_like_check(alice: User, mother: User, stranger: User) -> None:
    therapist = make_therapist_user("many@example.com", "Dr. Many")
    no_mfa = make_therapist_user("nomfa@example.com", "Dr. NoMFA", mfa=False)
    connect(therapist, alice, scopes=("measures",))
    connect(therapist, mother)
    connect(no_mfa, alice, scopes=("measures",))
    owners = [alice, mother, stranger]
    for viewer in (therapist, no_mfa, alice, mother):
        for kind in ("measures", "plans", "profile", "access_log", "journal_entry"):
            one_by_one = {o.pk: policy.decide(viewer, o, kind) for o in owners}
            before = AccessEvent.objects.count()
            batched = policy.check_many(viewer, owners, kind, via="page", path="/test/")
            assert {k: (d.allowed, d.reason, d.status) for k, d in batched.items()} == {
                k: (d.allowed, d.reason, d.status) for k, d in one_by_one.items()
            }, (viewer, kind)
            others = sum(1 for o in owners if o.pk != viewer.pk)
            assert AccessEvent.objects.count() == before + others  # every read logged


@pytest.mark.django_db
def test_appointments_page_does_not_grow_with_appointments(alice: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from individuate.practice.models import Appointment

    therapist = make_therapist_user("appt-flat@example.com", "Dr. Appt")
    connect(therapist, alice)
    start = timezone.now() + timedelta(days=3)

    def book(n: int, offset: int) -> None:
        for k in range(n):
            at = start + timedelta(hours=2 * (k + offset))
            Appointment.objects.create(therapist=therapist, client=alice, start=at, end=at + timedelta(minutes=50))

    for viewer in (alice, therapist):
        Appointment.objects.all().delete()
        browser = Client()
        browser.force_login(viewer)
        book(2, 0)
        few = _count(browser, reverse("practice:appointments"))
        book(20, 10)
        many = _count(browser, reverse("practice:appointments"))
        assert many <= few + 3, f"{viewer}: {few} queries for 2 appointments, {many} for 22"


@pytest.mark.django_db
def test_week_view_shows_a_bounded_set_with_who_needs_attention_first() -> None:
    from individuate.portal.views import WEEK_CLIENT_ROWS

    therapist = make_therapist_user("week-cap@example.com", "Dr. Cap")
    people = _clients(therapist, WEEK_CLIENT_ROWS + 3, 300)
    # The last by name answers the PHQ-9's self-harm item: a safety flag, so "needs attention".
    last = people[-1]
    last.display_name = "Zora Last"
    last.save(update_fields=["display_name"])
    response = measures.start_response(last, "phq9")
    measures.save_answers(last, response.pk, {f"phq9_{i}": 2 for i in range(1, 10)})
    measures.submit_response(last, response.pk)
    browser = Client()
    browser.force_login(therapist)
    page = browser.get(reverse("portal:practice_dashboard")).content.decode()
    assert f"Showing {WEEK_CLIENT_ROWS} of your {WEEK_CLIENT_ROWS + 3} clients" in page
    assert "Zora Last" in page  # needs attention: shown although last by name
    # Only the clients on the page were read, and each read was logged.
    logged = set(AccessEvent.objects.filter(viewer=therapist, kind="measures").values_list("owner_id", flat=True))
    assert len(logged) == WEEK_CLIENT_ROWS and last.pk in logged
