"""The dashboards answer "what now?", and the therapist's own pages log only what they show."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import connect
from individuate.accounts.models import User
from individuate.boundaries import actions as boundaries
from individuate.boundaries.models import AccessEvent
from individuate.checkins import actions as checkins
from individuate.healing import actions as healing
from individuate.measures import actions as measures
from individuate.practice.models import Appointment


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_client_dashboard_says_what_to_do_now(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures", "plans"))
    me = _client(alice)
    page = me.get(reverse("portal:dashboard")).content.decode()
    assert "You have not checked in today" in page and reverse("checkins:checkin") in page
    assert "No session booked" in page

    checkins.save_checkin(alice, mood=7, guilt=3, anger=2, anxiety=4)
    start = timezone.now() + timedelta(days=2)
    Appointment.objects.create(therapist=therapist, client=alice, start=start, end=start + timedelta(hours=1))
    measures.assign(therapist, alice.pk, "gad7", "once", timezone.localdate())
    suggestion = healing.suggest_step(therapist, alice.pk, "space", "Mute the phone at dinner")

    page = me.get(reverse("portal:dashboard")).content.decode()
    assert "Check-in done today" in page and "Mood 7 of 10" in page
    assert "Next session:" in page and "requested, waiting for an answer" in page
    assert "Dr. Test Therapist asked you to fill in GAD-7 · anxiety" in page
    assert f"#sug-title-{suggestion.pk}" in page and "Mute the phone at dinner" in page
    assert "Your mood, last 7 days" in page


def test_week_view_logs_only_what_it_shows(alice: User, stranger: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    connect(therapist, stranger, ("measures",))
    response = measures.start_response(alice, "gad7")
    measures.save_answers(alice, response.pk, {f"gad7_{i}": 1 for i in range(1, 8)})
    measures.submit_response(alice, response.pk)

    page = _client(therapist).get(reverse("portal:practice_dashboard")).content.decode()
    assert "GAD-7 · anxiety 7" in page
    # Alice's result was on the page: one read logged. Sam has no results: nothing shown, nothing logged.
    assert AccessEvent.objects.filter(owner=alice, viewer=therapist, kind="measures").count() == 1
    assert not AccessEvent.objects.filter(owner=stranger, viewer=therapist).exists()
    _client(therapist).get(reverse("portal:dashboard"))
    assert not AccessEvent.objects.filter(owner=stranger, viewer=therapist).exists()


def test_access_log_groups_repeated_reads_and_says_what_was_seen(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    reader = _client(therapist)
    for _ in range(3):
        assert reader.get(reverse("measures:client_measures", args=[alice.pk])).status_code == 200
    rows = boundaries.access_summary(alice)
    assert len(rows) == 1
    assert rows[0].count == 3 and rows[0].what == "Questionnaires and their scores"
    assert rows[0].places == ("on your questionnaires page",)
    page = _client(alice).get(reverse("boundaries:access_log")).content.decode()
    assert "Questionnaires and their scores" in page and "on your questionnaires page" in page
    assert "<td>3</td>" in page
    # A read in another hour is its own row.
    AccessEvent.objects.filter(owner=alice).update(at=timezone.now() - timedelta(hours=2))
    reader.get(reverse("measures:client_measures", args=[alice.pk]))
    assert [r.count for r in boundaries.access_summary(alice)] == [1, 3]


def test_requests_to_answer_count_booking_and_connection_requests(alice: User, stranger: User, therapist: User) -> None:
    connect(therapist, alice)
    start = timezone.now() + timedelta(days=3)
    Appointment.objects.create(therapist=therapist, client=alice, start=start, end=start + timedelta(hours=1))
    boundaries.request_therapist(stranger, therapist.pk, "Hello")
    page = _client(therapist).get(reverse("portal:dashboard")).content.decode()
    assert "2 waiting." in page
    assert "1 session request" in page and "1 request to connect" in page
    week = _client(therapist).get(reverse("portal:practice_dashboard")).content.decode()
    assert "Also 1 request to connect" in week and "Confirm</button>" in week


def test_inviting_a_client_with_a_mistake_shows_it_beside_the_field(therapist: User) -> None:
    from individuate.boundaries.models import TherapistConnection

    page = _client(therapist)
    wrong = page.post(reverse("portal:clients"), {"email": "not-an-address", "message": "Hello from Dr. T"})
    assert wrong.status_code == 422
    html = wrong.content.decode()
    assert "Please correct the fields marked below." in html
    assert 'value="not-an-address"' in html and "Hello from Dr. T" in html  # what was typed is kept
    assert 'class="errorlist' in html
    assert not TherapistConnection.objects.exists()

    right = page.post(reverse("portal:clients"), {"email": "new.client@example.com", "message": ""})
    assert right.status_code == 302 and right["Location"] == reverse("portal:clients")
    assert TherapistConnection.objects.filter(invite_email="new.client@example.com").exists()
