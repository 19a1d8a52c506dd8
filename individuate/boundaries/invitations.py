"""One state machine for every invitation: family links and therapist connections.

An invitation starts *pending*; the invited person accepts or declines it, the sender
withdraws it, or it lapses (expired, superseded, or its address went away); an accepted
one is active until either side ends it. The allowed moves are data (:data:`FAMILY`,
:data:`CONNECTION`); :func:`Machine.move` is the only code that changes a record's
status: it checks the move, who makes it and whether the invitation has expired, then
saves in one transaction — or raises :class:`ActionError` having changed nothing.

What a move sets besides status and its timestamp (who is now the client, whether the
invited person said no) the caller passes as ``fields``; what follows a move (grants
revoked, "do not invite" rows, signals) stays with the caller in ``actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from individuate.core.errors import ActionError

from .models import FamilyLink, TherapistConnection

if TYPE_CHECKING:
    from individuate.accounts.models import User

Event = Literal["accept", "decline", "withdraw", "end", "lapse"]
EVENTS: tuple[Event, ...] = ("accept", "decline", "withdraw", "end", "lapse")
Actor = Literal["invitee", "inviter", "either", "system"]

# How each event reads in a refusal.
_DO: dict[Event, str] = {
    "accept": "accept",
    "decline": "decline",
    "withdraw": "withdraw",
    "end": "end",
    "lapse": "close",
}
_DONE: dict[Event, str] = {
    "accept": "accepted",
    "decline": "declined",
    "withdraw": "withdrawn",
    "end": "ended",
    "lapse": "closed as lapsed",
}
_WHO: dict[Actor, str] = {
    "invitee": "the invited person",
    "inviter": "the person who sent it",
    "either": "one of the two people in it",
    "system": "the system",
}
EXPIRED = "This invitation has expired. Ask for a new one."


def verified_emails(user: User) -> set[str]:
    return {e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)}


@dataclass(frozen=True)
class Move:
    """One allowed transition: ``event`` takes a record from ``source`` to ``target``."""

    event: Event
    source: str
    target: str
    by: Actor
    stamp: str = ""  # the timestamp field set to now, if any
    live: bool = False  # refused once the invitation has expired


R = TypeVar("R", FamilyLink, TherapistConnection)


@dataclass(frozen=True)
class Parties:
    """Who sent an invitation and who received it (the receiver may not have claimed it yet)."""

    inviter_id: int | None
    invitee_id: int | None
    invitee_email: str


@dataclass(frozen=True)
class Machine(Generic[R]):
    noun: str
    moves: tuple[Move, ...]
    parties: Callable[[R], Parties]
    expired: Callable[[R], bool]
    # Messages, by event, for a move the record's status does not allow (instead of the generic one).
    refusals: dict[str, str] = field(default_factory=dict)

    def allowed(self, status: str, event: Event) -> Move | None:
        return next((m for m in self.moves if m.source == status and m.event == event), None)

    def sources(self, event: Event) -> list[str]:
        return [m.source for m in self.moves if m.event == event]

    def roles(self, record: R, user: User | None) -> set[Actor]:
        """The parts ``user`` plays in ``record``: inviter, invitee (by account, or by a verified
        address while nobody has claimed it yet) — or none."""
        if user is None:
            return set()
        parties = self.parties(record)
        roles: set[Actor] = set()
        if parties.inviter_id == user.pk:
            roles.add("inviter")
        if parties.invitee_id == user.pk or (
            parties.invitee_id is None
            and parties.invitee_email
            and parties.invitee_email.lower() in verified_emails(user)
        ):
            roles.add("invitee")
        return roles

    def check(self, record: R, event: Event, by: User | None) -> Move:
        """The move ``by`` may make, or ActionError saying why not."""
        move = self.allowed(record.status, event)
        if move is None:
            message = self.refusals.get(event) or (
                f"This {self.noun} is {record.get_status_display().lower()}; it cannot be {_DONE[event]}."
            )
            raise ActionError(message, "conflict")
        roles = self.roles(record, by)
        fits = (
            (move.by == "system" and by is None)
            or (move.by == "either" and bool(roles))
            or (move.by in ("inviter", "invitee") and move.by in roles)
        )
        if not fits:
            raise ActionError(f"Only {_WHO[move.by]} can {_DO[event]} this {self.noun}.", "forbidden")
        if move.live and self.expired(record):
            raise ActionError(EXPIRED, "conflict")
        return move

    def move(self, record: R, event: Event, *, by: User | None, clash: str = "", **fields: Any) -> R:
        """Make ``event`` happen to ``record`` as ``by`` (None: the system), setting ``fields`` too.

        Saves only the fields it changes, in one transaction; on any refusal, or when the save
        clashes with a constraint (``clash`` is then the message), the record is as it was.
        """
        move = self.check(record, event, by)
        changes: dict[str, Any] = {"status": move.target, **fields}
        if move.stamp:
            changes[move.stamp] = timezone.now()
        before = {name: getattr(record, name) for name in changes}
        for name, value in changes.items():
            setattr(record, name, value)
        try:
            with transaction.atomic():
                record.save(update_fields=list(changes))
        except IntegrityError as exc:
            for name, value in before.items():
                setattr(record, name, value)
            raise ActionError(clash or f"This {self.noun} changed at the same time; try again.", "conflict") from exc
        return record

    def move_all(self, records: QuerySet[R], event: Event, **fields: Any) -> int:
        """The system makes ``event`` happen to every record of ``records`` whose status allows it."""
        move = next(m for m in self.moves if m.event == event)
        assert move.by == "system", f"{event} needs a person; use move()"
        targets = {m.target for m in self.moves if m.event == event}
        assert targets == {move.target}, f"{event} has more than one target"
        changes: dict[str, Any] = {"status": move.target, **fields}
        if move.stamp:
            changes[move.stamp] = timezone.now()
        return records.filter(status__in=self.sources(event)).update(**changes)


_Link = FamilyLink.Status
FAMILY: Machine[FamilyLink] = Machine(
    noun="invitation",
    moves=(
        Move("accept", _Link.PENDING, _Link.ACTIVE, by="invitee", stamp="responded_at", live=True),
        Move("decline", _Link.PENDING, _Link.DECLINED, by="invitee", stamp="responded_at", live=True),
        Move("withdraw", _Link.PENDING, _Link.CANCELLED, by="inviter", stamp="ended_at"),
        # A declined invitation keeps reading as "declined"; withdrawing it only closes it.
        Move("withdraw", _Link.DECLINED, _Link.DECLINED, by="inviter", stamp="ended_at"),
        Move("lapse", _Link.PENDING, _Link.CANCELLED, by="system", stamp="ended_at"),
        Move("end", _Link.ACTIVE, _Link.ENDED, by="either", stamp="ended_at"),
    ),
    parties=lambda link: Parties(link.inviter_id, link.invitee_id, link.invitee_email),
    expired=lambda link: link.is_expired,
    refusals={
        "accept": "This invitation is not valid any more.",
        "decline": "This invitation is not valid any more.",
    },
)

_Conn = TherapistConnection.Status


def _connection_parties(connection: TherapistConnection) -> Parties:
    if connection.initiated_by == TherapistConnection.Initiator.THERAPIST:
        return Parties(connection.therapist_id, connection.client_id, connection.invite_email)
    return Parties(connection.client_id, connection.therapist_id, "")


CONNECTION: Machine[TherapistConnection] = Machine(
    noun="connection",
    moves=(
        Move("accept", _Conn.PENDING, _Conn.ACTIVE, by="invitee", stamp="accepted_at", live=True),
        Move("decline", _Conn.PENDING, _Conn.DECLINED, by="invitee", live=True),
        # Either side may take back (or set aside) a request that has not been answered.
        Move("withdraw", _Conn.PENDING, _Conn.ENDED, by="either", stamp="ended_at"),
        Move("lapse", _Conn.PENDING, _Conn.ENDED, by="system", stamp="ended_at"),
        Move("end", _Conn.ACTIVE, _Conn.ENDED, by="either", stamp="ended_at"),
    ),
    parties=_connection_parties,
    # A therapist's e-mailed invitation expires; a client's request waits until answered.
    expired=lambda c: c.initiated_by == TherapistConnection.Initiator.THERAPIST and c.is_expired,
    refusals={
        "accept": "This request has already been answered.",
        "decline": "This request has already been answered.",
        "withdraw": "This connection has already ended.",
        "end": "This connection has already ended.",
    },
)
