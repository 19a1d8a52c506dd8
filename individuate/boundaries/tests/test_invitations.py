"""The invitation state machine as a table: every allowed move works, every other is refused.

Each test builds one record in one status and tries one event as one actor; a refusal
must say why and leave the record — in memory and in the database — as it was.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from conftest import make_therapist_user, make_user
from individuate.accounts.models import User
from individuate.boundaries.invitations import CONNECTION, EVENTS, EXPIRED, FAMILY, Event, Machine, Move
from individuate.boundaries.models import FamilyLink, TherapistConnection, TrackedPerson, new_token
from individuate.core.errors import ActionError

pytestmark = pytest.mark.django_db

Record = FamilyLink | TherapistConnection
_serial = count()


def _person(name: str, therapist: bool = False) -> User:
    email = f"{name.lower()}{next(_serial)}@example.com"
    return make_therapist_user(email, f"Dr. {name}") if therapist else make_user(email, name)


class Cast:
    """An inviter, an invitee and a bystander for one record."""

    def __init__(self, inviter: User, invitee: User, bystander: User) -> None:
        self.inviter, self.invitee, self.bystander = inviter, invitee, bystander

    def actor(self, who: str) -> User | None:
        return {"inviter": self.inviter, "invitee": self.invitee, "system": None}[who]


def _family(status: str) -> tuple[FamilyLink, Cast]:
    inviter, invitee = _person("Ida"), _person("Ivo")
    claimed = status not in (FamilyLink.Status.PENDING, FamilyLink.Status.DECLINED)
    link = FamilyLink.objects.create(
        inviter=inviter,
        inviter_other=TrackedPerson.objects.create(owner=inviter, name="my son", role=TrackedPerson.Role.CHILD),
        invitee_email=invitee.email,
        invitee=invitee if claimed else None,
        invitee_other=(
            TrackedPerson.objects.create(owner=invitee, name="my mother", role=TrackedPerson.Role.PARENT)
            if claimed
            else None
        ),
        status=status,
        token_hash=new_token()[1],
    )
    return link, Cast(inviter, invitee, _person("Bea"))


def _connection(status: str, initiator: str) -> tuple[TherapistConnection, Cast]:
    therapist, client = _person("Tess", therapist=True), _person("Cleo")
    by_therapist = initiator == TherapistConnection.Initiator.THERAPIST
    unclaimed = by_therapist and status in (TherapistConnection.Status.PENDING, TherapistConnection.Status.DECLINED)
    connection = TherapistConnection.objects.create(
        therapist=therapist,
        client=None if unclaimed else client,
        invite_email=client.email if by_therapist else "",
        initiated_by=initiator,
        status=status,
        token_hash=new_token()[1] if by_therapist else None,
    )
    bystander = _person("Bea")
    cast = Cast(therapist, client, bystander) if by_therapist else Cast(client, therapist, bystander)
    return connection, cast


KINDS: dict[str, tuple[Machine[Any], list[str]]] = {
    "family": (FAMILY, list(FamilyLink.Status.values)),
    "therapist-invites": (CONNECTION, list(TherapistConnection.Status.values)),
    "client-asks": (CONNECTION, list(TherapistConnection.Status.values)),
}


def _make(kind: str, status: str) -> tuple[Record, Cast]:
    if kind == "family":
        return _family(status)
    initiator = (
        TherapistConnection.Initiator.THERAPIST if kind == "therapist-invites" else TherapistConnection.Initiator.CLIENT
    )
    return _connection(status, initiator)


def _cases(allowed: bool) -> list[tuple[str, str, Event]]:
    return [
        (kind, status, event)
        for kind, (machine, statuses) in KINDS.items()
        for status in statuses
        for event in EVENTS
        if (machine.allowed(status, event) is not None) == allowed
    ]


def _actors(move: Move) -> list[str]:
    return {"either": ["inviter", "invitee"], "system": ["system"]}.get(move.by, [move.by])


def _snapshot(record: Record) -> dict[str, Any]:
    return model_to_dict(record) | {"status": record.status}


def _assert_unchanged(record: Record, before: dict[str, Any]) -> None:
    assert _snapshot(record) == before  # in memory
    record.refresh_from_db()
    assert _snapshot(record) == before  # and in the database


def test_every_status_of_both_models_is_in_the_table() -> None:
    for machine, statuses in (KINDS["family"], KINDS["client-asks"]):
        named = {m.source for m in machine.moves} | {m.target for m in machine.moves}
        assert named == set(statuses)
        # Nothing leaves a closed record except withdrawing a declined family invitation.
        assert {m.source for m in machine.moves} <= {"pending", "active", "declined"}


@pytest.mark.parametrize(("kind", "status", "event"), _cases(allowed=True))
def test_allowed_move_works(kind: str, status: str, event: Event) -> None:
    machine = KINDS[kind][0]
    move = machine.allowed(status, event)
    assert move is not None
    for actor in _actors(move):
        record, cast = _make(kind, status)
        before = timezone.now()
        machine.move(record, event, by=cast.actor(actor))
        record.refresh_from_db()
        assert record.status == move.target
        if move.stamp:
            assert getattr(record, move.stamp) >= before


@pytest.mark.parametrize(("kind", "status", "event"), _cases(allowed=False))
def test_every_other_move_is_refused_and_changes_nothing(kind: str, status: str, event: Event) -> None:
    machine = KINDS[kind][0]
    record, cast = _make(kind, status)
    before = _snapshot(record)
    for by in (cast.inviter, cast.invitee, None):
        with pytest.raises(ActionError) as refused:
            machine.move(record, event, by=by, refused_by_invitee=True)
        assert refused.value.code == "conflict"
        assert refused.value.message.startswith("This ")
        _assert_unchanged(record, before)


@pytest.mark.parametrize(("kind", "status", "event"), _cases(allowed=True))
def test_the_wrong_actor_is_refused_and_changes_nothing(kind: str, status: str, event: Event) -> None:
    machine = KINDS[kind][0]
    move = machine.allowed(status, event)
    assert move is not None
    record, cast = _make(kind, status)
    before = _snapshot(record)
    wrong: list[User | None] = [cast.bystander]
    wrong += [cast.actor(a) for a in ("inviter", "invitee", "system") if a not in _actors(move)]
    for by in wrong:
        with pytest.raises(ActionError) as refused:
            machine.move(record, event, by=by)
        assert refused.value.code == "forbidden"
        assert refused.value.message.startswith("Only ")
        _assert_unchanged(record, before)


@pytest.mark.parametrize(("kind", "event"), [(k, e) for k in KINDS for e in ("accept", "decline")])
def test_an_expired_invitation_cannot_be_answered(kind: str, event: Event) -> None:
    machine = KINDS[kind][0]
    record, cast = _make(kind, "pending")
    record.expires_at = timezone.now() - timedelta(seconds=1)
    record.save(update_fields=["expires_at"])
    before = _snapshot(record)
    if kind == "client-asks":  # a client's request waits for the therapist however long it takes
        machine.move(record, event, by=cast.invitee)
        assert record.status != "pending"
        return
    with pytest.raises(ActionError, match=EXPIRED):
        machine.move(record, event, by=cast.invitee)
    _assert_unchanged(record, before)


def test_an_expired_invitation_can_still_be_withdrawn_or_lapse() -> None:
    link, cast = _family("pending")
    FamilyLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    link.refresh_from_db()
    FAMILY.move(link, "withdraw", by=cast.inviter)
    assert link.status == FamilyLink.Status.CANCELLED and link.ended_at is not None


def test_move_all_touches_only_the_records_the_table_allows() -> None:
    pending, _ = _connection("pending", TherapistConnection.Initiator.THERAPIST)
    active = TherapistConnection.objects.create(
        therapist=pending.therapist,
        client=_person("Olga"),
        initiated_by=TherapistConnection.Initiator.CLIENT,
        status=TherapistConnection.Status.ACTIVE,
    )
    assert CONNECTION.move_all(TherapistConnection.objects.all(), "lapse", token_hash=None) == 1
    pending.refresh_from_db()
    active.refresh_from_db()
    assert (pending.status, pending.token_hash) == ("ended", None) and pending.ended_at is not None
    assert (active.status, active.ended_at) == ("active", None)


def test_a_clash_with_a_constraint_is_refused_and_the_record_restored() -> None:
    link, cast = _family("pending")
    taken = TrackedPerson.objects.create(owner=cast.invitee, name="my aunt", role=TrackedPerson.Role.SOMEONE_ELSE)
    FamilyLink.objects.create(
        inviter=cast.bystander,
        inviter_other=TrackedPerson.objects.create(owner=cast.bystander, name="x", role=TrackedPerson.Role.CHILD),
        invitee_email=cast.invitee.email,
        invitee=cast.invitee,
        invitee_other=taken,
        status=FamilyLink.Status.ACTIVE,
        token_hash=new_token()[1],
    )
    before = _snapshot(link)
    with pytest.raises(ActionError, match="Already linked") as refused:
        FAMILY.move(link, "accept", by=cast.invitee, clash="Already linked.", invitee=cast.invitee, invitee_other=taken)
    assert refused.value.code == "conflict"
    _assert_unchanged(link, before)
