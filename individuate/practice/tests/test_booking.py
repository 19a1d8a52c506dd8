"""Booking: the rules hold on the server, the lifecycle keeps history, e-mails carry invites."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import connect, make_therapist_user, make_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.core.errors import ActionError
from individuate.practice import actions, tasks
from individuate.practice.models import Appointment, ContactRequest, PracticeProfile, WeeklyHours


def _open_all_week(therapist: User, *, notice_hours: int = 0, instant: bool = False) -> PracticeProfile:
    profile = actions.profile_of(therapist)
    profile.time_zone, profile.min_notice_hours, profile.instant_booking = "UTC", notice_hours, instant
    profile.session_minutes, profile.buffer_minutes, profile.granularity_minutes = 50, 10, 30
    profile.save()
    WeeklyHours.objects.filter(therapist=therapist).delete()
    for day in range(7):
        WeeklyHours.objects.create(therapist=therapist, weekday=day, start=time(0, 0), end=time(23, 59))
    return profile


def _slot(days: int = 2, hour: int = 10) -> datetime:
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


@pytest.fixture
def booking(alice: User, therapist: User) -> tuple[User, User]:
    _open_all_week(therapist)
    connect(therapist, alice)
    return alice, therapist


def test_request_confirm_with_history_and_invites(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    mail.outbox.clear()
    appointment = actions.book(alice, therapist.pk, _slot())
    assert appointment.status == "requested" and appointment.end - appointment.start == timedelta(minutes=50)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "therapist@example.com"]
    confirmed = actions.confirm(therapist, appointment.pk)
    assert (confirmed.status, confirmed.sequence) == ("confirmed", 1)
    assert [e.kind for e in confirmed.events.all()] == ["requested", "confirmed"]
    raw = mail.outbox[-1].message().as_bytes().decode()
    assert "METHOD:REQUEST" in raw and "method=REQUEST" in raw
    for message in mail.outbox:
        whole = message.message().as_bytes().decode()
        assert "PHQ" not in whole and "enmesh" not in whole


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (lambda: _slot(days=-1), "past"),
        (lambda: _slot(days=400), "ahead"),
        (lambda: _slot().replace(minute=10), "start"),
        (lambda: _slot().replace(tzinfo=None), "time zone"),
    ],
)
def test_bad_slots_are_refused_by_the_server(booking: tuple[User, User], start, message: str) -> None:  # type: ignore[no-untyped-def]
    alice, therapist = booking
    with pytest.raises(ActionError, match=message):
        actions.book(alice, therapist.pk, start())
    assert not Appointment.objects.exists()


def test_outside_hours_and_min_notice(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    WeeklyHours.objects.filter(therapist=therapist).update(start=time(9, 0), end=time(17, 0))
    with pytest.raises(ActionError, match="hours"):
        actions.book(alice, therapist.pk, _slot(hour=20))
    profile = actions.profile_of(therapist)
    profile.min_notice_hours = 72
    profile.save()
    with pytest.raises(ActionError, match="too soon"):
        actions.book(alice, therapist.pk, _slot(days=1, hour=10))
    assert not Appointment.objects.exists()


def test_overlap_is_409_and_buffer_counts(booking: tuple[User, User], stranger: User) -> None:
    alice, therapist = booking
    _open_all_week(therapist, instant=True)
    connect(therapist, stranger)
    actions.book(alice, therapist.pk, _slot(hour=10))
    client = Client()
    _, raw = issue_api_token(stranger, "t")
    taken = client.post(
        "/api/appointments",
        {"therapist_id": therapist.pk, "start": _slot(hour=10).isoformat()},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert taken.status_code == 409
    with pytest.raises(ActionError):  # 10:00–10:50 plus 10 minutes' buffer: 10:30 is taken too
        actions.book(stranger, therapist.pk, _slot(hour=10).replace(minute=30))
    assert Appointment.objects.filter(status="confirmed").count() == 1


def test_cancel_someone_elses_and_reschedule_a_cancelled_one(booking: tuple[User, User], stranger: User) -> None:
    alice, therapist = booking
    appointment = actions.book(alice, therapist.pk, _slot())
    with pytest.raises(ActionError) as exc:
        actions.cancel(stranger, appointment.pk, "nope")
    assert exc.value.code == "not_found"
    with pytest.raises(ActionError, match="reason"):
        actions.cancel(alice, appointment.pk, "  ")
    actions.cancel(alice, appointment.pk, "Something came up")
    with pytest.raises(ActionError) as exc:
        actions.reschedule(alice, appointment.pk, _slot(hour=12))
    assert exc.value.code == "conflict"
    appointment.refresh_from_db()
    assert (appointment.status, appointment.start) == ("cancelled", _slot())


def test_reschedule_moves_and_bumps_sequence(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    appointment = actions.confirm(therapist, actions.book(alice, therapist.pk, _slot()).pk)
    mail.outbox.clear()
    moved = actions.reschedule(alice, appointment.pk, _slot(hour=14))
    assert (moved.start, moved.sequence, moved.status) == (_slot(hour=14), 2, "confirmed")
    assert len(mail.outbox) == 2 and all("10:00" in m.body and "14:00" in m.body for m in mail.outbox)
    assert "rescheduled" in [e.kind for e in moved.events.all()]


def test_not_connected_cannot_book(therapist: User, stranger: User) -> None:
    _open_all_week(therapist)
    with pytest.raises(ActionError) as exc:
        actions.book(stranger, therapist.pk, _slot())
    assert exc.value.code == "forbidden"


def test_slots_api_in_the_clients_zone(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    WeeklyHours.objects.filter(therapist=therapist).update(start=time(9, 0), end=time(11, 0))
    _, raw = issue_api_token(alice, "t")
    day = _slot().date().isoformat()
    response = Client().get(
        f"/api/therapists/{therapist.pk}/slots?start={day}T00:00:00%2B00:00&end={day}T23:59:00%2B00:00&tz=Asia/Kolkata",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200
    starts = response.json()["slots"]
    assert starts[0].endswith("14:30:00+05:30") and len(starts) == 3  # 09:00, 09:30, 10:00 UTC
    bad = Client().get(
        f"/api/therapists/{therapist.pk}/slots?start={day}T00:00:00&end={day}T23:00:00&tz=Mars/Base",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert bad.status_code == 422


def test_calendar_feed_has_no_client_names(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    actions.confirm(therapist, actions.book(alice, therapist.pk, _slot()).pk)
    token = actions.profile_of(therapist).feed_token
    feed = Client().get(f"/practice/feed/{token}.ics").content.decode()
    assert "BEGIN:VEVENT" in feed and "alice" not in feed.lower() and "Alice" not in feed
    assert Client().get("/practice/feed/not-a-token.ics").status_code == 404


def test_public_request_form_honeypot_min_time_and_rate_limits(
    therapist: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from individuate.practice import forms

    profile = actions.profile_of(therapist)
    url = reverse("practice:public_profile", args=[profile.slug])
    page = Client().get(url)
    assert page.status_code == 200 and "Request an appointment" in page.content.decode()
    started = page.context["form"].initial["started"]
    data = {
        "name": "Kim",
        "email": "kim@example.com",
        "message": "I'd like to talk about my mother.",
        "started": started,
    }
    too_fast = Client().post(url, data, follow=True)
    assert "very fast" in too_fast.content.decode() and not ContactRequest.objects.exists()
    monkeypatch.setattr(forms, "MIN_FILL_SECONDS", 0)
    bot = Client().post(url, data | {"website": "http://spam"}, follow=True)
    assert not ContactRequest.objects.exists() and "leave this field empty" in bot.content.decode().lower()
    mail.outbox.clear()
    assert Client().post(url, data, REMOTE_ADDR="10.9.9.8").status_code == 302
    reused = Client().post(url, data | {"email": "other@example.com"}, REMOTE_ADDR="10.9.9.7", follow=True)
    assert "already sent" in reused.content.decode() and ContactRequest.objects.count() == 1  # one form, one request

    def fresh() -> dict[str, str]:
        return data | {"started": Client().get(url).context["form"].initial["started"]}

    for _ in range(3):  # the mailbox with a +tag and Gmail-style dots is the same mailbox
        Client().post(url, fresh() | {"email": "Kim+again@example.com"}, REMOTE_ADDR="10.9.9.9")
    assert ContactRequest.objects.count() == 3  # three per e-mail address a day
    assert len(mail.outbox) == 3 and "Kim" not in mail.outbox[0].body
    for n in range(6):
        Client().post(url, fresh() | {"email": f"p{n}@example.com"}, REMOTE_ADDR="10.1.1.1")
    assert ContactRequest.objects.count() == 3 + 5  # five per connection an hour


def test_dashboard_shows_the_week(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    actions.confirm(therapist, actions.book(alice, therapist.pk, _slot(days=1)).pk)
    client = Client()
    client.force_login(therapist)
    page = client.get(reverse("portal:practice_dashboard")).content.decode()
    assert "Your week" in page and "Alice" in page


def _race(fn, n: int) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    results: list[object] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcome: object = fn(i)
        except Exception as exc:  # noqa: BLE001 - we count the kinds below
            outcome = exc
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_exactly_one_wins() -> None:
    therapist = make_therapist_user("race.therapist@example.com", "Dr. Race")
    _open_all_week(therapist, instant=True)
    clients = [make_user(f"racer{i}@example.com", f"Racer {i}") for i in range(20)]
    for c in clients:
        connect(therapist, c)
    slot = _slot(days=3, hour=9)
    results = _race(lambda i: actions.book(clients[i], therapist.pk, slot), 20)
    wins = [r for r in results if isinstance(r, Appointment)]
    conflicts = [r for r in results if isinstance(r, ActionError) and r.code == "conflict"]
    assert len(wins) == 1 and len(conflicts) == 19, results
    assert Appointment.objects.filter(status="confirmed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_confirming_two_overlapping_requests_concurrently_confirms_one() -> None:
    therapist = make_therapist_user("race2.therapist@example.com", "Dr. Race Two")
    _open_all_week(therapist)
    a, b = make_user("ra@example.com", "A"), make_user("rb@example.com", "B")
    connect(therapist, a)
    connect(therapist, b)
    first = actions.book(a, therapist.pk, _slot(days=3, hour=9))
    second = actions.book(b, therapist.pk, _slot(days=3, hour=9).replace(minute=30))  # overlaps the first
    ids = [first.pk, second.pk]
    results = _race(lambda i: actions.confirm(therapist, ids[i]), 2)
    assert sum(isinstance(r, Appointment) for r in results) == 1, results
    assert Appointment.objects.filter(status="confirmed").count() == 1
    assert Appointment.objects.filter(status="requested").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_overlapping_confirmed_sessions() -> None:
    """Bypassing the actions: PostgreSQL's exclusion constraint refuses the second row.
    SQLite has no such constraint; there the guarantee is the serialised check in the
    actions (proven by the concurrency tests above), so the direct insert is allowed."""
    from django.db import IntegrityError, connection, transaction

    therapist = make_therapist_user("db.therapist@example.com", "Dr. DB")
    a, b = make_user("da@example.com", "A"), make_user("db@example.com", "B")
    start = _slot(days=3, hour=9)
    Appointment.objects.create(
        therapist=therapist, client=a, start=start, end=start + timedelta(minutes=50), status="confirmed"
    )
    overlapping = Appointment(
        therapist=therapist,
        client=b,
        start=start + timedelta(minutes=30),
        end=start + timedelta(minutes=80),
        status="confirmed",
    )
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            overlapping.save()
        assert Appointment.objects.count() == 1
        # a requested (not confirmed) overlap is allowed: requests may compete
        Appointment.objects.create(therapist=therapist, client=b, start=start, end=start + timedelta(minutes=50))
        assert Appointment.objects.count() == 2
    else:
        assert connection.vendor == "sqlite"
        with pytest.raises(ActionError) as exc:
            actions._save_confirmed(overlapping)
        assert exc.value.code == "conflict" and Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_24_hour_reminder_is_queued_and_sent_once_by_the_worker() -> None:
    from django.core.management import call_command
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    therapist = make_therapist_user("rem.therapist@example.com", "Dr. Rem")
    _open_all_week(therapist)
    kim = make_user("kim.rem@example.com", "Kim")
    connect(therapist, kim)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        appointment = actions.book(kim, therapist.pk, _slot(days=3, hour=9))
        actions.confirm(therapist, appointment.pk)
        reminder = DBTaskResult.objects.get(task_path="individuate.practice.tasks.send_reminder")
        assert reminder.run_after == _slot(days=3, hour=9) - timedelta(hours=24)
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")  # the e-mails now
        mail.outbox.clear()
        DBTaskResult.objects.filter(pk=reminder.pk).update(run_after=timezone.now() - timedelta(seconds=1))
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2 and all("24 hours" in s for s in subjects)
    tasks.send_reminder.call(appointment.pk, 1)  # already sent: nothing more
    assert len(mail.outbox) == 2


def test_nobody_else_sees_an_appointment(
    booking: tuple[User, User], mother: User, stranger: User, outsider: User
) -> None:
    alice, therapist = booking
    appointment = actions.book(alice, therapist.pk, _slot())
    ContactRequest.objects.create(therapist=therapist, name="Visitor-secret", email="v@example.com", message="m")
    for viewer in (mother, stranger, outsider):
        client = Client()
        client.force_login(viewer)
        pages = client.get(reverse("practice:appointments")).content.decode()
        if viewer.is_therapist:
            pages += client.get(reverse("portal:practice_dashboard")).content.decode()
        assert "Alice" not in pages and "Visitor-secret" not in pages
        assert (
            client.post(
                reverse("practice:appointment_action", args=[appointment.pk, "cancel"]), {"reason": "x"}
            ).status_code
            == 302
        )
        _, raw = issue_api_token(viewer, "t")
        api = Client().get("/api/appointments", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["items"]
        assert api == []
        confirm = Client().post(f"/api/appointments/{appointment.pk}/confirm", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert confirm.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "requested"


def test_review_fixes_ending_connection_cancels_and_no_names_without_mfa(booking: tuple[User, User]) -> None:
    from allauth.mfa.models import Authenticator

    from individuate.boundaries import actions as boundaries

    alice, therapist = booking
    appointment = actions.confirm(therapist, actions.book(alice, therapist.pk, _slot()).pk)
    mail.outbox.clear()
    boundaries.end_connection(alice, therapist.client_connections.get().pk)
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and len(mail.outbox) == 2
    assert all("The connection ended" not in m.body or "note" in m.body.lower() for m in mail.outbox)
    connect(therapist, alice)
    second = actions.book(alice, therapist.pk, _slot(hour=15))
    Authenticator.objects.filter(user=therapist).delete()
    client = Client()
    client.force_login(therapist)
    assert "Alice" not in client.get(reverse("practice:appointments")).content.decode()
    with pytest.raises(ActionError) as exc:
        actions.confirm(therapist, second.pk)
    assert exc.value.code == "forbidden"


def test_review_fixes_reasons_stay_on_the_site_and_moves_after_start_refused(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    appointment = actions.book(alice, therapist.pk, _slot())
    mail.outbox.clear()
    actions.cancel(alice, appointment.pk, "my mother had another breakdown")
    assert mail.outbox and all("breakdown" not in m.message().as_bytes().decode() for m in mail.outbox)
    started = actions.book(alice, therapist.pk, _slot(hour=16))
    Appointment.objects.filter(pk=started.pk).update(
        start=timezone.now() - timedelta(minutes=5), end=timezone.now() + timedelta(minutes=45)
    )
    with pytest.raises(ActionError, match="already begun"):
        actions.reschedule(alice, started.pk, _slot(hour=18))


def test_review_fixes_open_redirect_and_bad_parameters(booking: tuple[User, User], stranger: User) -> None:
    alice, therapist = booking
    appointment = actions.book(alice, therapist.pk, _slot())
    client = Client()
    client.force_login(alice)
    response = client.post(
        reverse("practice:appointment_action", args=[appointment.pk, "cancel"]),
        {"reason": "x", "next": "https://evil.example/x"},
    )
    assert response["Location"] == reverse("practice:appointments")
    for query in ("?from=9999-12-31", "?from=0001-01-01", "?from=0001-01-03&tz=Pacific/Kiritimati", "?reschedule=abc"):
        assert client.get(reverse("practice:book", args=[therapist.pk]) + query).status_code in (200, 404)
    assert (
        client.post(
            reverse("practice:book", args=[therapist.pk]) + "?reschedule=abc", {"start": _slot().isoformat()}
        ).status_code
        == 404
    )
    _, raw = issue_api_token(stranger, "t")
    day = _slot().date().isoformat()
    unconnected = Client().get(
        f"/api/therapists/{therapist.pk}/slots?start={day}T00:00:00&end={day}T23:00:00",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert unconnected.status_code == 403
    _, raw_a = issue_api_token(alice, "t")
    early = Client().get(
        f"/api/therapists/{therapist.pk}/slots?start=0001-01-01T00:00&end=0001-01-02T00:00&tz=Asia/Tokyo",
        HTTP_AUTHORIZATION=f"Bearer {raw_a}",
    )
    assert early.status_code == 422


def test_booking_page_hides_requested_times_and_never_pages_into_the_past(booking: tuple[User, User]) -> None:
    alice, therapist = booking
    client = Client()
    client.force_login(alice)
    url = reverse("practice:book", args=[therapist.pk])
    slot = _slot(days=2, hour=10)
    label = f'value="{slot.isoformat()}"'
    assert label in client.get(url, {"tz": "UTC"}).content.decode()
    actions.book(alice, therapist.pk, slot)
    page = client.get(url, {"tz": "UTC"}).content.decode()
    assert label not in page  # asked for already: not offered again
    assert "Waiting for Dr. Test Therapist" in page
    assert "← Earlier" not in page  # this week is the first one
    old = client.get(url, {"tz": "UTC", "from": "2020-01-06"}).content.decode()
    assert "Week of " + timezone.now().strftime("%-d %b") in old and "← Earlier" not in old
    later = client.get(url, {"tz": "UTC", "from": (timezone.now() + timedelta(days=14)).date().isoformat()})
    assert "← Earlier" in later.content.decode()
