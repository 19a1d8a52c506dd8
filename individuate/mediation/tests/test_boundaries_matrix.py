"""Who reaches which case record, through pages and the API.

Parent A is Alice ("Alex"), parent B is Jordan ("Sam"). Alice's mother is linked to Alice
as family; the stranger is another client; the outsider another therapist. The mediator
loses two-factor in ``no_mfa``.
"""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from individuate.boundaries.models import AccessEvent
from individuate.mediation import actions
from individuate.mediation.models import Party, PrivateNote

from .conftest import api

ACTORS = ["parent_a", "parent_b", "family_member", "another_client", "another_therapist", "mediator_without_2fa"]


@pytest.fixture
def people(case, alice, jordan, mother, stranger, outsider, mediator):
    return {
        "parent_a": alice,
        "parent_b": jordan,
        "family_member": mother,
        "another_client": stranger,
        "another_therapist": outsider,
        "mediator_without_2fa": mediator,
    }


@pytest.fixture
def records(case, jordan):
    note = actions.add_private_note(jordan, case, "I am afraid of the hand-overs at the house.")
    actions.set_contact(jordan, case, details="12 Hidden Lane, 555-0100", share=False)
    return {"note": note}


def _as(people, actor):
    user = people[actor]
    if actor == "mediator_without_2fa":
        Authenticator.objects.filter(user=user).delete()
    return user


def _page(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


# The shared plan: both parents; nobody outside; the mediator only with two-factor.
PLAN_STATUS = {
    "parent_a": 200,
    "parent_b": 200,
    "family_member": 404,
    "another_client": 404,
    "another_therapist": 404,
    "mediator_without_2fa": 403,
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("what", ["case", "versions", "compare", "pdf", "json", "audit", "calendar"])
def test_case_pages(people, case, records, actor, what):
    user = _as(people, actor)
    response = _page(user, reverse(f"mediation:{what}", args=[case.pk]))
    assert response.status_code == PLAN_STATUS[actor], (actor, what)
    if actor.startswith("parent") and what == "case":
        body = response.content.decode()
        assert "Hidden Lane" not in body or actor == "parent_b"
        assert "afraid of the hand-overs" not in body or actor == "parent_b"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "url",
    [
        "/api/mediation/cases/{id}",
        "/api/mediation/cases/{id}/versions",
        "/api/mediation/cases/{id}/comments",
        "/api/mediation/cases/{id}/notes",
        "/api/mediation/cases/{id}/parenting-time?from=2027-01-01&to=2027-02-01",
    ],
)
def test_case_api(people, case, records, actor, url):
    client, auth = api(_as(people, actor))
    response = client.get(url.format(id=case.pk), **auth)
    assert response.status_code == PLAN_STATUS[actor], (actor, url, response.content)


# Parent B's private note to the mediator: B and the (two-factor) mediator only.
NOTE_STATUS = {
    "parent_a": 404,
    "parent_b": 200,
    "family_member": 404,
    "another_client": 404,
    "another_therapist": 404,
    "mediator_without_2fa": 403,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_private_note_read_and_change(people, case, records, actor):
    client, auth = api(_as(people, actor))
    url = f"/api/mediation/cases/{case.pk}/notes/{records['note'].pk}"
    assert client.get(url, **auth).status_code == NOTE_STATUS[actor]
    changed = client.put(url, data=json.dumps({"text": "changed"}), content_type="application/json", **auth)
    assert changed.status_code == (200 if actor == "parent_b" else NOTE_STATUS[actor] if actor != "parent_a" else 404)
    if actor != "parent_b":
        assert PrivateNote.objects.get(pk=records["note"].pk).text.startswith("I am afraid")


def test_mediator_with_two_factor_reads_the_note_and_it_is_logged(case, records, mediator, jordan):
    client, auth = api(mediator)
    response = client.get(f"/api/mediation/cases/{case.pk}/notes/{records['note'].pk}", **auth)
    assert response.status_code == 200
    assert AccessEvent.objects.filter(
        owner=jordan, viewer=mediator, kind="mediation_private_note", allowed=True
    ).exists()


def test_parent_a_cannot_list_parent_bs_note_and_the_attempt_is_logged(case, records, alice, jordan):
    client, auth = api(alice)
    assert client.get(f"/api/mediation/cases/{case.pk}/notes", **auth).json()["items"] == []
    client.get(f"/api/mediation/cases/{case.pk}/notes/{records['note'].pk}", **auth)
    assert AccessEvent.objects.filter(owner=jordan, viewer=alice, kind="mediation_private_note", allowed=False).exists()


def test_contact_details_only_when_shared(case, records, alice, jordan):
    client, auth = api(alice)
    parties = client.get(f"/api/mediation/cases/{case.pk}", **auth).json()["parties"]
    assert parties[1]["contact_details"] is None
    actions.set_contact(jordan, case, details="12 Hidden Lane, 555-0100", share=True)
    parties = client.get(f"/api/mediation/cases/{case.pk}", **auth).json()["parties"]
    assert parties[1]["contact_details"] == "12 Hidden Lane, 555-0100"
    assert "Hidden Lane" in _page(alice, reverse("mediation:case", args=[case.pk])).content.decode()


def test_separate_sessions_keep_each_parents_comments_from_the_other(case, mediator, alice, jordan):
    actions.update_case(mediator, case, separate_sessions=True, must_not_meet=False)
    actions.comment(jordan, case, "communication", "Only by e-mail, please.")
    actions.comment(mediator, case, "communication", "Let us talk about this on Tuesday.")
    client, auth = api(alice)
    texts = [c["text"] for c in client.get(f"/api/mediation/cases/{case.pk}/comments", **auth).json()["items"]]
    assert texts == ["Let us talk about this on Tuesday."]
    assert "Only by e-mail" not in _page(alice, reverse("mediation:case", args=[case.pk])).content.decode()
    client, auth = api(mediator)
    assert client.get(f"/api/mediation/cases/{case.pk}/comments", **auth).json()["count"] == 2
    # without separate sessions the parents read each other's comments
    actions.update_case(mediator, case, separate_sessions=False, must_not_meet=False)
    client, auth = api(alice)
    assert client.get(f"/api/mediation/cases/{case.pk}/comments", **auth).json()["count"] == 2


def test_outsiders_cannot_write_either(people, case, outsider, stranger, mother):
    for user in (outsider, stranger, mother):
        client, auth = api(user)
        response = client.post(
            f"/api/mediation/cases/{case.pk}/comments",
            data=json.dumps({"section": "review", "text": "hello"}),
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 404
    assert case.comments.count() == 0


def test_a_third_person_cannot_join(case, mediator, stranger, alice):
    # A's invitation was claimed: the link no longer works for anyone else.
    client, auth = api(stranger)
    party = Party.objects.get(case=case, role="A")
    assert party.user == alice
    # A new case with a pending invitation to someone else's address.
    other = actions.open_case(
        mediator, title="Other", parent_a="Kim", parent_b="Lee", children=[], starts=case.created_at.date()
    )
    actions.invite_parent(mediator, other, "A", "kim@example.com")
    from individuate.mediation.models import hash_token, new_token

    raw, hashed = new_token()
    Party.objects.filter(case=other, role="A").update(invite_token_hash=hashed)
    response = client.post(
        "/api/mediation/join", data=json.dumps({"token": raw}), content_type="application/json", **auth
    )
    assert response.status_code == 403 and "another e-mail address" in response.json()["detail"]
    assert Party.objects.get(case=other, role="A").user is None
    response = client.post(
        "/api/mediation/join", data=json.dumps({"token": "guess"}), content_type="application/json", **auth
    )
    assert response.status_code == 404
    assert hash_token(raw) == hashed
