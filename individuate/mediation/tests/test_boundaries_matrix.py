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


def test_in_separate_sessions_the_mediator_answers_one_parent_without_the_other_reading_it(
    case, mediator, alice, jordan
):
    actions.update_case(mediator, case, separate_sessions=True, must_not_meet=False)
    actions.comment(jordan, case, "exchanges", "I do not want to see Alex at the hand-overs.")
    m = Client()
    m.force_login(mediator)
    m.post(
        reverse("mediation:comment", args=[case.pk]),
        {"section": "exchanges", "text": "Understood, Sam: grandmother Ilse can do the pick-ups.", "to": "B"},
    )
    client, auth = api(mediator)
    response = client.post(
        f"/api/mediation/cases/{case.pk}/comments",
        data=json.dumps({"section": "exchanges", "text": "A question for both of you next week.", "to": None}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201 and response.json()["to"] is None
    for_both = "A question for both of you next week."
    for_sam = "Understood, Sam: grandmother Ilse can do the pick-ups."

    def seen(user):
        client, auth = api(user)
        texts = [c["text"] for c in client.get(f"/api/mediation/cases/{case.pk}/comments", **auth).json()["items"]]
        page = _page(user, reverse("mediation:case", args=[case.pk])).content.decode()
        assert all((t in page) for t in texts), texts
        return texts

    assert seen(alice) == [for_both]
    assert "grandmother Ilse" not in _page(alice, reverse("mediation:case", args=[case.pk])).content.decode()
    assert seen(jordan) == ["I do not want to see Alex at the hand-overs.", for_sam, for_both]
    assert "for Sam only" in _page(jordan, reverse("mediation:case", args=[case.pk])).content.decode()
    # Out of separate sessions the addressed comment still reaches only its parent.
    actions.update_case(mediator, case, separate_sessions=False, must_not_meet=False)
    assert for_sam not in seen(alice)
    # A parent cannot address a comment (only the mediator does), and nothing is written.
    client, auth = api(alice)
    before = case.comments.count()
    response = client.post(
        f"/api/mediation/cases/{case.pk}/comments",
        data=json.dumps({"section": "exchanges", "text": "Only for the mediator?", "to": "B"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403 and case.comments.count() == before


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


# --- every kind of case record, for every actor, through pages and the API ------------------------
#
# Parent B (Jordan) owns one record of each kind: a proposal on the plan (the case in
# separate-sessions mode), a private note to the mediator, unshared contact details; the plan
# itself is shared. "read": 200 and the record is in the answer; "hidden": 200 for the case but
# the record is not in it (nor an allowed row in Jordan's access log); a number: that status.
PROPOSAL = "Please keep the Tuesday calls short."
NOTE = "I am afraid of the hand-overs at the house."
CONTACT = "12 Hidden Lane, 555-0100"
KIND_OF = {
    "plan": "mediation_plan",
    "comment": "mediation_comment",
    "note": "mediation_private_note",
    "contact": "mediation_contact",
}
OUTSIDE = {"family_member": 404, "another_client": 404, "another_therapist": 404, "mediator_without_2fa": 403}
EXPECTED = {
    "plan": {"parent_a": "read", "parent_b": "read", "mediator": "read", **OUTSIDE},
    "comment": {"parent_a": "hidden", "parent_b": "read", "mediator": "read", **OUTSIDE},
    "note": {"parent_a": "hidden", "parent_b": "read", "mediator": "read", **OUTSIDE},
    "contact": {"parent_a": "hidden", "parent_b": "read", "mediator": "read", **OUTSIDE},
}
# the per-record reads: the other parent is told the record does not exist
PER_RECORD_HIDDEN_STATUS = {"comment": 404, "note": 404}


@pytest.fixture
def owned(case, mediator, jordan):
    actions.update_case(mediator, case, separate_sessions=True, must_not_meet=False)
    proposal = actions.comment(
        jordan, case, "communication", PROPOSAL, proposal={"between_parents": "Calls on Tuesdays, ten minutes."}
    )
    note = actions.add_private_note(jordan, case, NOTE)
    actions.set_contact(jordan, case, details=CONTACT, share=False)
    AccessEvent.objects.all().delete()
    return {"proposal": proposal, "note": note}


def _read(client, auth, kind, via, case, owned):
    """(status, whether the record is in the answer) for one way of reading one kind."""
    if via == "page":
        if kind == "comment":
            url = reverse("mediation:compare", args=[case.pk]) + f"?proposal={owned['proposal'].pk}"
        else:
            url = reverse("mediation:case", args=[case.pk])
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        marker = {"plan": "Regular schedule", "comment": "Calls on Tuesdays", "note": NOTE, "contact": CONTACT}[kind]
        return response.status_code, marker in body
    base = f"/api/mediation/cases/{case.pk}"
    if kind == "plan":
        response = client.get(f"{base}/versions/1", **auth)
        return response.status_code, response.status_code == 200 and response.json()["document"] is not None
    if kind == "comment":
        response = client.get(f"{base}/comments", **auth)
        return response.status_code, response.status_code == 200 and any(
            c["text"] == PROPOSAL for c in response.json()["items"]
        )
    if kind == "note":
        response = client.get(f"{base}/notes/{owned['note'].pk}", **auth)
        return response.status_code, response.status_code == 200 and response.json()["text"] == NOTE
    response = client.get(base, **auth)
    return response.status_code, response.status_code == 200 and response.json()["parties"][1][
        "contact_details"
    ] == CONTACT


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("kind", sorted(EXPECTED))
@pytest.mark.parametrize("actor", [*ACTORS, "mediator"])
def test_every_case_record_kind_for_every_actor(people, case, owned, mediator, jordan, actor, kind, via):
    user = mediator if actor == "mediator" else _as(people, actor)
    client, auth = api(user)
    client.force_login(user)
    status, shown = _read(client, auth, kind, via, case, owned)
    expected = EXPECTED[kind][actor]
    log = AccessEvent.objects.filter(owner=jordan, viewer=user)
    if expected == "read":
        assert (status, shown) == (200, True), (actor, kind, via)
        if actor != "parent_b":
            assert log.filter(kind=KIND_OF[kind], allowed=True).exists(), (actor, kind, via)
    elif expected == "hidden":
        per_record = via == "page" and kind == "comment" or via == "api" and kind == "note"
        assert status == (PER_RECORD_HIDDEN_STATUS[kind] if per_record else 200), (actor, kind, via)
        assert not shown, (actor, kind, via)
        assert not log.filter(kind=KIND_OF[kind], allowed=True).exists(), (actor, kind, via)
        if per_record:  # asking for it by id is a denial in Jordan's log
            assert log.filter(kind=KIND_OF[kind], allowed=False).exists(), (actor, kind, via)
    else:
        assert status == expected and not shown, (actor, kind, via)
        assert log.filter(allowed=False).exists() and not log.filter(allowed=True).exists(), (actor, kind, via)
    if actor == "parent_b":
        assert not log.exists()  # reading one's own records is not an access by someone else


@pytest.mark.parametrize("kind", sorted(KIND_OF.values()))
def test_case_record_kinds_are_owner_only_in_the_boundaries_policy(case, jordan, therapist, kind):
    """No therapist grant ever opens a case record: even a connected therapist holding every grant."""
    from conftest import connect
    from individuate.boundaries import policy
    from individuate.boundaries.models import SCOPES
    from individuate.core.records import OWNER_ONLY

    assert policy.KINDS[kind].scope == OWNER_ONLY
    connect(therapist, jordan, tuple(SCOPES))
    decision = policy.decide(therapist, jordan, kind)
    assert (decision.allowed, decision.status) == (False, 404)
    assert policy.decide(jordan, jordan, kind).allowed
    client, auth = api(therapist)
    assert client.get(f"/api/people/{jordan.pk}/records/{kind}", **auth).status_code == 404
    page = Client()
    page.force_login(therapist)
    assert page.get(reverse("boundaries:shared_records", args=[jordan.pk, kind])).status_code == 404
