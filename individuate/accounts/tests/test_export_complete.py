"""The export holds everything about a person — the records the first version left out
included — and lists its files in plain words."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import time, timedelta

from django.utils import timezone

from conftest import connect, link, make_user
from individuate.accounts.models import User
from individuate.boundaries.models import FamilyLink, TrackedPerson
from individuate.checkins import actions as checkins
from individuate.checkins.coupling import set_joint_consent
from individuate.core import privacy
from individuate.healing.models import StepSuggestion
from individuate.measures.actions import import_completed
from individuate.measures.models import SafetyFlag, SafetyFlagSeen
from individuate.practice.actions import profile_of
from individuate.practice.models import Appointment, AppointmentEvent, ContactRequest, WeeklyHours


def _files(user: User) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(privacy.export_zip(user)))
    return {name: archive.read(name) for name in archive.namelist()}


def _json(files: dict[str, bytes], name: str) -> list[dict]:
    return json.loads(files[f"{name}.json"])


def test_client_export_has_appointments_suggestions_reminder_and_joint_choices(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("plans",))
    start = timezone.now() + timedelta(days=2)
    appointment = Appointment.objects.create(
        therapist=therapist, client=alice, start=start, end=start + timedelta(minutes=50), reason="talk about Sundays"
    )
    AppointmentEvent.objects.create(appointment=appointment, actor=alice, kind="requested")
    AppointmentEvent.objects.create(appointment=appointment, actor=therapist, kind="confirmed", note="see you then")
    StepSuggestion.objects.create(therapist=therapist, client=alice, plan_step="space", title="Leave the phone outside")
    checkins.set_reminder(alice, enabled=True, at=time(20, 30))
    mother = make_user("margit.export@example.com", "Margit")
    theirs = TrackedPerson.objects.create(owner=mother, name="my daughter", role="child")
    link(alice, alice.others.get(name="my mother"), mother, theirs)
    set_joint_consent(alice, FamilyLink.objects.get(), opted_in=True, share_with_other=False)

    files = _files(alice)

    (booked,) = _json(files, "appointments")
    assert booked["with"] == therapist.name and booked["role"] == "client"
    assert booked["reason"] == "talk about Sundays"
    assert [(e["what"], e["by_you"]) for e in booked["history"]] == [("requested", True), ("confirmed", False)]
    (suggestion,) = _json(files, "step_suggestions")
    assert (suggestion["direction"], suggestion["title"], suggestion["with"]) == (
        "received",
        "Leave the phone outside",
        therapist.name,
    )
    (reminder,) = _json(files, "checkin_reminder")
    assert reminder["enabled"] is True and reminder["time"].startswith("20:30")
    (choice,) = _json(files, "joint_report_choices")
    assert (choice["with"], choice["opted_in"], choice["share_with_other"]) == ("my mother", True, False)
    # Every section is there as JSON and as CSV, and the README names each in words.
    readme = files["README.txt"].decode()
    for name, label in privacy.export_contents():
        assert f"{name}.json" in files and f"{name}.csv" in files
        assert f"{name}.json / {name}.csv — {label}" in readme
    assert "appointments.json / appointments.csv — Your appointments and their history" in readme


def test_therapist_export_has_practice_settings_contact_requests_and_flags_seen(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    profile = profile_of(therapist)
    profile.approach = "Small, kind steps."
    profile.save()
    WeeklyHours.objects.create(therapist=therapist, weekday=1, start=time(9), end=time(12))
    ContactRequest.objects.create(
        therapist=therapist, name="Kai (fictional)", email="kai@example.com", message="Can we talk?"
    )
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    response = import_completed(alice, "phq9", answers, timezone.now() - timedelta(hours=1))
    flag = SafetyFlag.objects.get(response=response)
    SafetyFlagSeen.objects.create(flag=flag, therapist=therapist)

    files = _files(therapist)

    (practice,) = _json(files, "practice_settings")
    assert practice["approach"] == "Small, kind steps." and practice["public_address"] == profile.slug
    assert practice["weekly_hours"] == [{"weekday": 1, "start": "09:00:00", "end": "12:00:00"}]
    (request,) = _json(files, "contact_requests")
    assert (request["name"], request["email"], request["message"]) == (
        "Kai (fictional)",
        "kai@example.com",
        "Can we talk?",
    )
    (seen,) = _json(files, "safety_flags_seen")
    assert seen["flag"] == flag.pk and seen["seen_at"]
    # The client's own export holds the flag and says it was seen — never by whom.
    (own_flag,) = _json(_files(alice), "safety_flags")
    assert own_flag["seen_by_a_therapist"] is True and therapist.name not in json.dumps(own_flag)


def test_export_page_lists_the_files_in_plain_words(alice: User) -> None:
    from conftest import fresh_login

    page = fresh_login(alice).get("/settings/export/").content.decode()
    for _, label in privacy.export_contents():
        assert label.replace("'", "&#x27;") in page
    # File names appear only as file names, after the words.
    assert "joint_report_choices" not in page.replace("joint_report_choices.json", "").replace(
        "joint_report_choices.csv", ""
    )
