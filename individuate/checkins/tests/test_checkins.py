"""Check-ins, contacts and the journal: fast to record, validated, private."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import connect
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.checkins import actions
from individuate.checkins.models import CheckIn, ContactEvent, JournalEntry, PerceivedMood
from individuate.core.errors import ActionError


def _mother(alice: User) -> int:
    return alice.others.get(name="my mother").pk


def test_checkin_with_perceived_mood_and_edit_same_day(alice: User) -> None:
    checkin = actions.save_checkin(
        alice, mood=3, guilt=8, anger=6, anxiety=7, perceived={_mother(alice): 2}, note="call"
    )
    assert (checkin.mood, checkin.local_date) == (3, actions.local_today(alice))
    assert PerceivedMood.objects.get(checkin=checkin).value == 2
    actions.save_checkin(
        alice,
        mood=5,
        guilt=4,
        anger=3,
        anxiety=3,
        perceived={_mother(alice): 6},
        checkin_id=checkin.pk,
    )
    checkin.refresh_from_db()
    assert checkin.mood == 5 and checkin.perceived.get().value == 6
    # several a day are fine
    actions.save_checkin(alice, mood=6, guilt=2, anger=1, anxiety=2)
    assert CheckIn.objects.filter(owner=alice).count() == 2


def test_yesterdays_checkin_cannot_be_changed(alice: User) -> None:
    checkin = actions.save_checkin(alice, mood=3, guilt=3, anger=3, anxiety=3)
    CheckIn.objects.filter(pk=checkin.pk).update(local_date=actions.local_today(alice) - timedelta(days=1))
    with pytest.raises(ActionError, match="today"):
        actions.save_checkin(alice, mood=9, guilt=0, anger=0, anxiety=0, checkin_id=checkin.pk)
    checkin.refresh_from_db()
    assert checkin.mood == 3


@pytest.mark.parametrize("bad", [-1, 11, "7.5", "high", True])
def test_out_of_range_values_save_nothing(alice: User, bad: object) -> None:
    with pytest.raises(ActionError, match="0 to 10"):
        actions.save_checkin(alice, mood=bad, guilt=1, anger=1, anxiety=1)
    with pytest.raises(ActionError):
        actions.save_checkin(
            alice,
            mood=5,
            guilt=1,
            anger=1,
            anxiety=1,
            perceived={_mother(alice): bad},
        )
    assert not CheckIn.objects.exists() and not PerceivedMood.objects.exists()


def test_someone_elses_other_is_refused(alice: User, stranger: User) -> None:
    with pytest.raises(ActionError) as exc:
        actions.save_checkin(stranger, mood=5, guilt=1, anger=1, anxiety=1, perceived={_mother(alice): 5})
    assert exc.value.code == "not_found"
    assert not CheckIn.objects.exists()


def test_checkin_page_saves_and_rejects(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("checkins:checkin")).content.decode()
    assert "How do you think my mother feels today?" in page and 'type="radio"' in page and "Not set" in page
    ok = client.post(
        reverse("checkins:checkin"),
        {
            "mood": "4",
            "guilt": "7",
            "anger": "2",
            "anxiety": "5",
            f"perceived_{_mother(alice)}": "3",
        },
    )
    assert ok.status_code == 302 and CheckIn.objects.get().perceived.get().value == 3
    bad = client.post(
        reverse("checkins:checkin"), {"mood": "14", "guilt": "7", "anger": "2", "anxiety": "5"}, follow=True
    )
    assert "My mood" in bad.content.decode() and CheckIn.objects.count() == 1


def test_contact_log(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(
        reverse("checkins:contacts"),
        {
            "other": _mother(alice),
            "kind": "call",
            "response": "own_terms",
            "guilt_after": "6",
            "note": "",
        },
    )
    assert response.status_code == 302
    contact = ContactEvent.objects.get()
    assert (contact.kind, contact.response, contact.guilt_after) == ("call", "own_terms", 6)
    for bad in (
        {"kind": "telegram"},
        {"response": "ignored"},
        {"guilt_after": "11"},
        {"other": "99999"},
    ):
        data = {
            "other": _mother(alice),
            "kind": "call",
            "response": "declined",
            "guilt_after": "3",
        } | bad
        client.post(reverse("checkins:contacts"), data)
    assert ContactEvent.objects.count() == 1
    with pytest.raises(ActionError, match="future"):
        actions.add_contact(
            alice,
            other_id=_mother(alice),
            kind="call",
            response="declined",
            guilt_after=1,
            at=timezone.now() + timedelta(hours=2),
        )


def test_journal_is_searchable_by_its_owner_only(alice: User, stranger: User) -> None:
    actions.save_journal(alice, text="Said no to Sunday lunch. Felt guilty, then lighter.")
    actions.save_journal(alice, text="A quiet day.")
    actions.save_journal(stranger, text="Sunday lunch with friends.")
    assert [e.text[:8] for e in actions.search_journal(alice, "sunday LUNCH")] == ["Said no "]
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("checkins:journal") + "?q=lunch").content.decode()
    assert "Said no to Sunday lunch" in page and "with friends" not in page
    with pytest.raises(ActionError):
        actions.save_journal(alice, text="   ")
    with pytest.raises(ActionError):
        actions.save_journal(alice, text="x" * 20001)
    entry = JournalEntry.objects.filter(owner=stranger).get()
    with pytest.raises(ActionError):
        actions.save_journal(alice, text="overwrite", entry_id=entry.pk)
    entry.refresh_from_db()
    assert entry.text == "Sunday lunch with friends."


def test_history_page_has_charts_with_tables(alice: User) -> None:
    actions.save_checkin(alice, mood=3, guilt=8, anger=6, anxiety=7)
    actions.add_contact(alice, other_id=_mother(alice), kind="call", response="declined", guilt_after=7)
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("checkins:checkin_history")).content.decode()
    assert page.count('class="chart"') == 2 and "Show as a table" in page


@pytest.mark.django_db(transaction=True)
def test_daily_reminder_goes_through_the_worker_and_queues_the_next() -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from conftest import make_user

    kim = make_user("kim@example.com", "Kim")
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        setting = actions.set_reminder(kim, enabled=True, at=(timezone.now() + timedelta(hours=1)).time())
        queued = DBTaskResult.objects.get(task_path="individuate.checkins.tasks.send_checkin_reminder")
        assert queued.run_after > timezone.now()
        # Time passes: make it due, then let the real worker run it.
        DBTaskResult.objects.filter(pk=queued.pk).update(run_after=timezone.now() - timedelta(seconds=1))
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
        assert [m.to for m in mail.outbox] == [["kim@example.com"]]
        assert "minute" in mail.outbox[0].subject.lower()
        # the next day's reminder is already queued; switching off voids it
        assert DBTaskResult.objects.filter(task_path=queued.task_path, status="READY").count() == 1
        actions.set_reminder(kim, enabled=False, at=None)
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    assert len(mail.outbox) == 1
    setting.refresh_from_db()
    assert not setting.enabled


def test_api_checkin_contact_journal(alice: User) -> None:
    _, raw = issue_api_token(alice, "phone")
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    made = client.post(
        "/api/checkins",
        {"mood": 4, "guilt": 6, "anger": 2, "anxiety": 3, "perceived": {str(_mother(alice)): 5}},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201 and made.json()["perceived"] == {str(_mother(alice)): 5}
    bad = client.post(
        "/api/checkins",
        {"mood": 40, "guilt": 6, "anger": 2, "anxiety": 3},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and "0 to 10" in bad.json()["detail"]
    contact = client.post(
        "/api/contacts",
        {"other_id": _mother(alice), "kind": "visit", "response": "declined", "guilt_after": 4},
        content_type="application/json",
        **auth,
    )
    assert contact.status_code == 201
    journal = client.post("/api/journal", {"text": "First entry"}, content_type="application/json", **auth)
    assert journal.status_code == 201
    assert [e["text"] for e in client.get("/api/journal?q=first", **auth).json()["items"]] == ["First entry"]
    assert CheckIn.objects.count() == 1


def test_export_and_delete_cover_checkin_records(alice: User) -> None:
    from individuate.core.privacy import delete_account, export_records

    actions.save_checkin(alice, mood=3, guilt=8, anger=6, anxiety=7, perceived={_mother(alice): 2}, note="n")
    actions.add_contact(alice, other_id=_mother(alice), kind="call", response="at_once", guilt_after=9)
    actions.save_journal(alice, text="private words")
    exported = export_records(alice)
    assert exported["checkins"][0]["perceived"] == {"my mother": 2}
    assert exported["contact_events"][0]["response"] == "at_once"
    assert exported["journal_entries"][0]["text"] == "private words"
    delete_account(alice)
    assert not CheckIn.objects.exists() and not ContactEvent.objects.exists() and not JournalEntry.objects.exists()


VIEWERS = [
    "mother",
    "stranger",
    "outsider",
    "therapist_none",
    "therapist_checkins",
    "therapist_journal",
]


@pytest.mark.parametrize("viewer_name", VIEWERS)
@pytest.mark.parametrize("via", ["page", "api"])
def test_who_sees_checkins_contacts_and_journal(
    viewer_name: str,
    via: str,
    alice: User,
    mother: User,
    stranger: User,
    therapist: User,
    outsider: User,
) -> None:
    actions.save_checkin(alice, mood=2, guilt=9, anger=5, anxiety=8, note="checkin-secret-7")
    actions.add_contact(
        alice,
        other_id=_mother(alice),
        kind="request",
        response="declined",
        guilt_after=8,
        note="contact-secret-7",
    )
    actions.save_journal(alice, text="journal-secret-7")
    viewer = {"mother": mother, "stranger": stranger, "outsider": outsider}.get(viewer_name, therapist)
    scopes = {
        "therapist_none": (),
        "therapist_checkins": ("checkins",),
        "therapist_journal": ("journal",),
    }.get(viewer_name)
    if scopes is not None:
        connect(therapist, alice, scopes)
    seen = ""
    for kind in ("checkins", "checkin", "contact_event", "journal", "journal_entry"):
        if via == "page":
            client = Client()
            client.force_login(viewer)
            seen += client.get(reverse("boundaries:shared_records", args=[alice.pk, kind])).content.decode()
        else:
            _, raw = issue_api_token(viewer, "t")
            seen += (
                Client()
                .get(f"/api/people/{alice.pk}/records/{kind}", HTTP_AUTHORIZATION=f"Bearer {raw}")
                .content.decode()
            )
    assert ("checkin-secret-7" in seen) is (viewer_name == "therapist_checkins")
    assert ("contact-secret-7" in seen) is (viewer_name == "therapist_checkins")
    assert ("journal-secret-7" in seen) is (viewer_name == "therapist_journal")
    # The person's own pages show only the viewer's own records.
    client = Client()
    client.force_login(viewer)
    for name in ("checkins:journal", "checkins:contacts", "checkins:checkin", "checkins:checkin_history"):
        response = client.get(reverse(name))
        assert response.status_code == (403 if viewer.is_therapist else 200)
        assert "secret-7" not in response.content.decode()


def test_deleting_own_contact_and_journal_entry_but_not_someone_elses(alice: User, stranger: User) -> None:
    contact = actions.add_contact(alice, other_id=_mother(alice), kind="call", response="at_once", guilt_after=3)
    entry = actions.save_journal(alice, text="to be removed")
    other = Client()
    other.force_login(stranger)
    assert other.post(reverse("checkins:contact_delete", args=[contact.pk]), {"confirmed": "yes"}).status_code == 404
    assert other.post(reverse("checkins:journal_delete", args=[entry.pk]), {"confirmed": "yes"}).status_code == 404
    assert ContactEvent.objects.filter(pk=contact.pk).exists() and JournalEntry.objects.filter(pk=entry.pk).exists()
    client = Client()
    client.force_login(alice)
    deleted = client.post(reverse("checkins:contact_delete", args=[contact.pk]), {"confirmed": "yes"}, follow=True)
    assert "Deleted" in deleted.content.decode()
    client.post(reverse("checkins:journal_delete", args=[entry.pk]), {"confirmed": "yes"})
    assert not ContactEvent.objects.exists() and not JournalEntry.objects.exists()
