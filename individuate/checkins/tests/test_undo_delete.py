"""Deleting a contact or a journal entry asks first, and can be undone for ten minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from individuate.accounts.models import User
from individuate.checkins import actions
from individuate.checkins.models import UNDO_MINUTES, ContactEvent, JournalEntry
from individuate.checkins.tasks import recompute_coupling
from individuate.core import privacy
from individuate.core.errors import ActionError
from individuate.healing.progress import guilt_after_saying_no


def _contact(alice: User) -> ContactEvent:
    mother = alice.others.get(name="my mother")
    return actions.add_contact(alice, other_id=mother.pk, kind="call", response="declined", guilt_after=7)


def test_one_click_on_delete_only_asks_and_says_what_will_go(alice: User) -> None:
    contact = _contact(alice)
    client = Client()
    client.force_login(alice)
    page = client.post(reverse("checkins:contact_delete", args=[contact.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Delete this contact?" in text
    assert "call with my mother" in text and "declined" in text
    assert f"undo this for {UNDO_MINUTES} minutes" in text
    assert ContactEvent.objects.filter(pk=contact.pk).exists()


def test_deleted_contact_leaves_pages_export_and_progress_then_undo_brings_it_back(alice: User) -> None:
    contact = _contact(alice)
    client = Client()
    client.force_login(alice)
    client.post(reverse("checkins:contact_delete", args=[contact.pk]), {"confirmed": "yes"})
    assert not ContactEvent.objects.filter(pk=contact.pk).exists()
    assert ContactEvent.all_objects.get(pk=contact.pk).deleted_at is not None
    assert privacy.export_records(alice)["contact_events"] == []
    assert guilt_after_saying_no(alice) == []
    page = client.get(reverse("checkins:contacts")).content.decode()
    assert "Deleted: <strong>call with my mother" in page and "Undo" in page

    client.post(reverse("checkins:contact_undo", args=[contact.pk]))
    assert ContactEvent.objects.get(pk=contact.pk).deleted_at is None
    assert len(privacy.export_records(alice)["contact_events"]) == 1


def test_journal_entry_undo_within_the_window_only(alice: User) -> None:
    entry = actions.save_journal(alice, text="a hard evening, written down")
    client = Client()
    client.force_login(alice)
    ask = client.post(reverse("checkins:journal_delete", args=[entry.pk])).content.decode()
    assert "Delete this journal entry?" in ask and "(5 words)" in ask
    client.post(reverse("checkins:journal_delete", args=[entry.pk]), {"confirmed": "yes"})
    assert (
        "a hard evening" not in client.get(reverse("checkins:journal")).content.decode().split("Recently deleted")[-1]
    )
    assert list(actions.search_journal(alice, "evening")) == []

    JournalEntry.all_objects.filter(pk=entry.pk).update(deleted_at=timezone.now() - timedelta(minutes=UNDO_MINUTES + 1))
    with pytest.raises(ActionError, match="no longer be undone"):
        actions.undo_delete_journal(alice, entry.pk)
    response = client.post(reverse("checkins:journal_undo", args=[entry.pk]), follow=True)
    assert "no longer be undone" in response.content.decode()


def test_someone_else_cannot_undo(alice: User, stranger: User) -> None:
    contact = _contact(alice)
    actions.delete_contact(alice, contact.pk)
    with pytest.raises(ActionError):
        actions.undo_delete_contact(stranger, contact.pk)
    assert ContactEvent.all_objects.get(pk=contact.pk).deleted_at is not None


def test_expired_deletions_are_purged_by_the_nightly_task_and_on_read(alice: User) -> None:
    old = _contact(alice)
    fresh = _contact(alice)
    entry = actions.save_journal(alice, text="gone for good")
    actions.delete_contact(alice, old.pk)
    actions.delete_contact(alice, fresh.pk)
    actions.delete_journal(alice, entry.pk)
    long_ago = timezone.now() - timedelta(minutes=UNDO_MINUTES + 5)
    ContactEvent.all_objects.filter(pk=old.pk).update(deleted_at=long_ago)
    result = recompute_coupling.call()
    assert result["purged"] == 1
    assert not ContactEvent.all_objects.filter(pk=old.pk).exists()
    assert ContactEvent.all_objects.filter(pk=fresh.pk).exists()  # still undoable
    JournalEntry.all_objects.filter(pk=entry.pk).update(deleted_at=long_ago)
    client = Client()
    client.force_login(alice)
    client.get(reverse("checkins:journal"))  # reading the page purges what can no longer be undone
    assert not JournalEntry.all_objects.filter(pk=entry.pk).exists()


def test_account_deletion_erases_soft_deleted_rows_too(alice: User) -> None:
    contact = _contact(alice)
    actions.delete_contact(alice, contact.pk)
    privacy.delete_account(alice)
    assert not ContactEvent.all_objects.filter(pk=contact.pk).exists()
