"""Honest data: a scale the person did not set is stored as empty, never as a made-up 5."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from conftest import link, make_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.boundaries.models import TrackedPerson
from individuate.checkins import actions, coupling
from individuate.checkins.forms import CheckInForm, ContactForm
from individuate.checkins.models import CheckIn, ContactEvent, PerceivedMood
from individuate.core.errors import ActionError
from individuate.healing.progress import guilt_after_saying_no


def _mother(alice: User) -> TrackedPerson:
    return alice.others.get(name="my mother")


def test_untouched_form_fields_clean_to_none_not_five(alice: User) -> None:
    mother = _mother(alice)
    form = CheckInForm({"mood": "6", "note": ""}, others=[mother])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["guilt"] is None and form.cleaned_data["anger"] is None
    assert form.perceived() == {mother.pk: None}
    # Nothing is pre-selected: the initial choice is "not set".
    assert CheckInForm(others=[mother])["mood"].value() == ""


def test_a_form_with_nothing_set_is_refused(alice: User) -> None:
    form = CheckInForm({"mood": "", "guilt": "", "note": "hello"}, others=[_mother(alice)])
    assert not form.is_valid()
    assert "Nothing is set yet" in str(form.non_field_errors())


def test_page_stores_only_what_was_set(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("checkins:checkin")).content.decode()
    checked = re.findall(r"<input[^>]*checked[^>]*>", page)
    assert len(checked) == 5 and all('value=""' in tag for tag in checked)  # every scale starts "not set"
    response = client.post(reverse("checkins:checkin"), {"mood": "2", "guilt": "", "note": ""})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(owner=alice)
    assert (checkin.mood, checkin.guilt, checkin.anger, checkin.anxiety) == (2, None, None, None)
    assert not PerceivedMood.objects.exists()


def test_page_with_nothing_set_saves_nothing(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("checkins:checkin"), {"note": "just a note"}, follow=True)
    assert "Nothing is set yet" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_action_keeps_unset_scales_empty_and_refuses_an_empty_checkin(alice: User) -> None:
    only_perceived = actions.save_checkin(alice, perceived={_mother(alice).pk: 4})
    assert only_perceived.mood is None and only_perceived.perceived.get().value == 4
    with pytest.raises(ActionError, match="Nothing is set"):
        actions.save_checkin(alice, note="nothing else")
    assert CheckIn.objects.count() == 1


def test_editing_a_checkin_can_clear_a_scale(alice: User) -> None:
    checkin = actions.save_checkin(alice, mood=3, guilt=8)
    actions.save_checkin(alice, mood=3, guilt=None, checkin_id=checkin.pk)
    checkin.refresh_from_db()
    assert (checkin.mood, checkin.guilt) == (3, None)


def test_contact_guilt_left_unset_is_empty_and_left_out_of_progress(alice: User) -> None:
    form = ContactForm({"other": _mother(alice).pk, "kind": "call", "response": "declined"}, others=[_mother(alice)])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["guilt_after"] is None
    actions.add_contact(alice, other_id=_mother(alice).pk, kind="call", response="declined", guilt_after=None)
    actions.add_contact(alice, other_id=_mother(alice).pk, kind="call", response="declined", guilt_after=6)
    assert sorted(ContactEvent.objects.values_list("guilt_after", flat=True), key=str) == [6, None]
    weeks = guilt_after_saying_no(alice)
    assert [(w["mean"], w["n"]) for w in weeks] == [(6.0, 1)]


def test_history_averages_only_the_scales_that_were_set(alice: User) -> None:
    actions.save_checkin(alice, mood=4, guilt=6)
    actions.save_checkin(alice, mood=8)
    (today,) = actions.daily_series(alice)
    assert today["mood"] == 6.0 and today["guilt"] == 6.0
    assert today["anger"] is None and today["anxiety"] is None
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("checkins:checkin_history")).content.decode()
    assert "None" not in page and "—" in page


def test_the_engine_treats_an_unset_mood_as_missing(db: None) -> None:
    alice = make_user("alice.engine@example.com", "Alice")
    mother_account = make_user("mother.engine@example.com", "Margit")
    mine = TrackedPerson.objects.create(owner=alice, name="my mother", role="parent")
    theirs = TrackedPerson.objects.create(owner=mother_account, name="my daughter", role="child")
    link(alice, mine, mother_account, theirs)
    today = actions.local_today(alice)
    for back in range(40):
        day = today - timedelta(days=back)
        checkin = CheckIn.objects.create(owner=alice, local_date=day, mood=None if back % 2 else (back % 7) + 2)
        PerceivedMood.objects.create(checkin=checkin, other=mine, value=(back * 3) % 11)
    grid = coupling._own_moods([alice.pk], today - timedelta(days=60))[0]
    moods = grid[~np.isnan(grid)]
    assert len(moods) == 20  # the 20 days with mood unset are missing, not zero and not five
    assert all(2 <= value <= 8 for value in moods)
    coupling.recompute_solo(alice)  # runs over the gaps without failing


def test_api_leaves_out_scales_that_were_not_sent(alice: User) -> None:
    _, raw = issue_api_token(alice, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post("/api/checkins", {"mood": 5}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["guilt"] is None
    empty = client.post("/api/checkins", {}, content_type="application/json")
    assert empty.status_code == 422 and "Nothing is set" in empty.json()["detail"]
    assert CheckIn.objects.get().guilt is None
