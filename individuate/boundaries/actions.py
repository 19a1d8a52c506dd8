"""What the boundaries app does: people in one's life, links, connections, consent.

Views and the API call these; each either completes in one transaction or raises
:class:`ActionError` having changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from individuate.core import limits
from individuate.core.errors import ActionError
from individuate.core.mail import queue_email
from individuate.core.records import KINDS
from individuate.core.time import zone_of

from .invitations import CONNECTION, FAMILY, Event
from .invitations import verified_emails as _verified_emails
from .models import (
    SCOPE_TITLES,
    SCOPES,
    AccessEvent,
    ConsentGrant,
    DoNotInvite,
    FamilyLink,
    TherapistConnection,
    TrackedPerson,
    hash_token,
    new_token,
)
from .signals import connection_ending, consent_withdrawn, tracked_person_removing

if TYPE_CHECKING:
    from individuate.accounts.models import User

MAX_OTHERS = 30
MFA_REQUIRED = "Switch on two-factor authentication before you can see any client's data."


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ActionError("Please give a name, for example “my mother”.")
    if len(name) > 60:
        raise ActionError("A name can be at most 60 characters.")
    return name


def _clean_role(role: str) -> str:
    if role not in TrackedPerson.Role.values:
        raise ActionError(f"Role must be one of: {', '.join(TrackedPerson.Role.values)}.")
    return role


# ---------------------------------------------------------------- others


def add_other(owner: User, name: str, role: str) -> TrackedPerson:
    name, role = _clean_name(name), _clean_role(role)
    if owner.others.count() >= MAX_OTHERS:
        raise ActionError(f"You can track at most {MAX_OTHERS} people.", "conflict")
    if owner.others.filter(name__iexact=name).exists():
        raise ActionError(f"You already have someone called “{name}”.", "conflict")
    try:
        with transaction.atomic():
            return TrackedPerson.objects.create(owner=owner, name=name, role=role)
    except IntegrityError as exc:  # a concurrent double submit
        raise ActionError(f"You already have someone called “{name}”.", "conflict") from exc


def update_other(owner: User, other_id: int, name: str, role: str) -> TrackedPerson:
    other = get_own_other(owner, other_id)
    name, role = _clean_name(name), _clean_role(role)
    if owner.others.filter(name__iexact=name).exclude(pk=other.pk).exists():
        raise ActionError(f"You already have someone called “{name}”.", "conflict")
    other.name, other.role = name, role
    other.save(update_fields=["name", "role"])
    return other


@transaction.atomic
def remove_other(owner: User, other_id: int) -> None:
    other = get_own_other(owner, other_id)
    for link in open_links_of_other(other):
        _close_link(link, owner)
    other.delete()


def removal_consequences(owner: User, other_id: int) -> tuple[TrackedPerson, list[str]]:
    """What removing one of OWNER's people will do, in sentences, before it is done."""
    other = get_own_other(owner, other_id)
    lines = [f"Remove “{other.name}” from the people you track."]
    lines += [line for _, line in tracked_person_removing.send(sender=TrackedPerson, owner=owner, other=other) if line]
    if open_links_of_other(other).exists():
        lines.append("End your link with them (or withdraw the invitation). They are not told.")
    return other, lines


def get_own_other(owner: User, other_id: int) -> TrackedPerson:
    other = TrackedPerson.objects.filter(owner=owner, pk=other_id).first()
    if other is None:
        raise ActionError("Not found.", "not_found")
    return other


# ---------------------------------------------------------------- family links


def open_links_of_other(other: TrackedPerson) -> QuerySet[FamilyLink]:
    """Links that give ``other`` a state other than "not linked" for its owner.

    A declined invitation keeps reading as "invited" to the inviter until it
    expires (or they withdraw it), so declining is silent.
    """
    return FamilyLink.objects.filter(
        Q(status=FamilyLink.Status.ACTIVE, invitee_other=other)
        | Q(status=FamilyLink.Status.ACTIVE, inviter_other=other)
        | Q(
            inviter_other=other,
            status__in=[FamilyLink.Status.PENDING, FamilyLink.Status.DECLINED],
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
    )


LinkState = Literal["linked", "invited", "not linked"]


def link_state(other: TrackedPerson) -> LinkState:
    """What the owner of ``other`` may know: "linked", "invited" (by them) or "not linked".

    Declined, withdrawn, expired and ended links all end as "not linked"; nothing
    tells either side what the other did or when.
    """
    states = {"linked" if link.status == FamilyLink.Status.ACTIVE else "invited" for link in open_links_of_other(other)}
    if "linked" in states:
        return "linked"
    return "invited" if states else "not linked"


INVITE_QUIET_DAYS = 30
INVITES_PER_DAY = 5
CLIENT_INVITES_PER_DAY = 30
CONNECTION_REQUESTS_PER_DAY = 5


def _invitation_email_is_welcome(
    sent: QuerySet[FamilyLink] | QuerySet[TherapistConnection],
) -> bool:
    """Whether to e-mail an invitation, given the sender's earlier ones to the same address.

    One e-mail per address per 30 days, and none at all once that person has said no.
    The sender is not told either way, so the product cannot be used to pester anyone.
    """
    recent = timezone.now() - timedelta(days=INVITE_QUIET_DAYS)
    return not sent.filter(Q(created_at__gte=recent) | Q(refused_by_invitee=True)).exists()


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ActionError("Please give a valid e-mail address.") from exc
    return email


# ---------------------------------------------------------------- "do not invite"

NEVER_ASK_SALT = "individuate.boundaries.never-ask"


def refuse_family_invitations(addresses: set[str], reason: str) -> None:
    """These addresses get no family invitation e-mails from anyone: for
    ``FAMILY_REFUSAL_DAYS`` after a decline or an ended link, for ever after "never ask me"."""
    days = settings.FAMILY_REFUSAL_DAYS
    until = None if reason == DoNotInvite.Reason.NEVER else timezone.now() + timedelta(days=days)
    DoNotInvite.objects.bulk_create(
        [DoNotInvite(address_hash=limits.address_hash(a), reason=reason, until=until) for a in addresses if a]
    )


def family_invitations_refused(address: str) -> bool:
    return (
        DoNotInvite.objects.filter(address_hash=limits.address_hash(address))
        .filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))
        .exists()
    )


def never_ask_token(address: str) -> str:
    """The signed part of the "never ask me again" link in an invitation (holds only the hash)."""
    return signing.dumps(limits.address_hash(address), salt=NEVER_ASK_SALT, compress=True)


def never_ask_again(token: str) -> None:
    """Record, for ever, that the address in this signed link gets no family invitations."""
    try:
        digest = signing.loads(token or "", salt=NEVER_ASK_SALT)
    except signing.BadSignature as exc:
        raise ActionError("This link is not valid. Copy the whole link from the e-mail.", "not_found") from exc
    if not isinstance(digest, str) or len(digest) != 64:
        raise ActionError("This link is not valid. Copy the whole link from the e-mail.", "not_found")
    with transaction.atomic():
        if not DoNotInvite.objects.filter(address_hash=digest, until__isnull=True).exists():
            DoNotInvite.objects.create(address_hash=digest, reason=DoNotInvite.Reason.NEVER, until=None)


def _refused_addresses_of(user: User, invited: str) -> set[str]:
    return {invited.lower()} | _verified_emails(user)


@transaction.atomic
def invite_family_member(inviter: User, other_id: int, email: str) -> tuple[FamilyLink, str]:
    other = get_own_other(inviter, other_id)
    email = _clean_email(email)
    if email in _verified_emails(inviter) or email == inviter.email.lower():
        raise ActionError("You cannot invite yourself.")
    # Concurrent invitations from one account, or to one mailbox, are counted one by one.
    inviter_key, mailbox_key = f"family-invite:inviter:{inviter.pk}", limits.address_key("family-invite:to", email)
    limits.lock(inviter_key, mailbox_key)
    if open_links_of_other(other).exists():
        raise ActionError(f"“{other.name}” is already linked or invited.", "conflict")
    if limits.count(inviter_key, timedelta(days=1)) >= INVITES_PER_DAY:
        raise ActionError("You have sent enough invitations for today. Try again tomorrow.", "conflict")
    limits.record(inviter_key)
    # An earlier invitation that expired or was withdrawn no longer blocks a new one.
    FAMILY.move_all(FamilyLink.objects.filter(inviter_other=other), "lapse")
    # The e-mail goes only if this mailbox has not said no (to anyone), this inviter was
    # never refused, and no family invitation reached the mailbox in the last 30 days.
    welcome = (
        not family_invitations_refused(email)
        and _invitation_email_is_welcome(FamilyLink.objects.filter(inviter=inviter, invitee_email=email))
        and limits.count(mailbox_key, timedelta(days=INVITE_QUIET_DAYS)) == 0
    )
    raw, token_hash = new_token()
    try:
        with transaction.atomic():
            link = FamilyLink.objects.create(
                inviter=inviter, inviter_other=other, invitee_email=email, token_hash=token_hash
            )
    except IntegrityError as exc:  # a concurrent double submit
        raise ActionError(f"“{other.name}” is already linked or invited.", "conflict") from exc
    if welcome:
        limits.record(mailbox_key)
        queue_email(
            "boundaries/family-invitation",
            to=email,
            about=inviter,
            context={
                "accept_path": reverse("boundaries:family_accept", args=[raw]),
                "never_path": reverse("boundaries:family_never_ask", args=[never_ask_token(email)]),
            },
        )
    return link, raw


def _check_claim(
    invitation: FamilyLink | TherapistConnection | None, user: User, *, sender_id: int, email: str
) -> None:
    """The rules for answering any e-mailed invitation, family or therapist."""
    if invitation is None or invitation.status != invitation.Status.PENDING:
        raise ActionError("This invitation is not valid any more.", "not_found")
    if sender_id == user.pk:
        raise ActionError("You cannot accept your own invitation.", "forbidden")
    if email.lower() not in _verified_emails(user):
        raise ActionError("This invitation was sent to a different e-mail address than yours.", "forbidden")
    if invitation.is_expired:
        raise ActionError("This invitation has expired. Ask for a new one.", "conflict")


def _pending_link_for(user: User, raw_token: str) -> FamilyLink:
    link = (
        FamilyLink.objects.select_for_update(of=("self",))
        .filter(token_hash=hash_token(raw_token or ""))
        .select_related("inviter", "inviter_other")
        .first()
    )
    _check_claim(
        link,
        user,
        sender_id=link.inviter_id if link else 0,
        email=link.invitee_email if link else "",
    )
    assert link is not None
    return link


def peek_family_invitation(user: User, raw_token: str) -> FamilyLink:
    with transaction.atomic():
        return _pending_link_for(user, raw_token)


@transaction.atomic
def accept_family_invitation(
    user: User,
    raw_token: str,
    *,
    other_id: int | None = None,
    new_name: str = "",
    new_role: str = "",
) -> FamilyLink:
    """Accept as ``user``, representing the inviter by one of their own Others."""
    link = _pending_link_for(user, raw_token)
    if other_id:
        other = get_own_other(user, other_id)
        if open_links_of_other(other).exists():
            raise ActionError(f"“{other.name}” is already linked or invited.", "conflict")
    else:
        other = add_other(user, new_name, new_role)
    return FAMILY.move(
        link, "accept", by=user, clash=f"“{other.name}” is already linked.", invitee=user, invitee_other=other
    )


@transaction.atomic
def decline_family_invitation(user: User, raw_token: str) -> FamilyLink:
    link = FAMILY.move(_pending_link_for(user, raw_token), "decline", by=user, refused_by_invitee=True)
    refuse_family_invitations(_refused_addresses_of(user, link.invitee_email), DoNotInvite.Reason.DECLINED)
    return link


def _close_link(link: FamilyLink, by: User) -> None:
    """Withdraw (an invitation) or end (a link). A declined invitation keeps its status."""
    if link.status != FamilyLink.Status.ACTIVE:
        FAMILY.move(link, "withdraw", by=by)
        return
    FAMILY.move(link, "end", by=by, refused_by_invitee=link.invitee_id == by.pk)
    # Whoever ends a link is not invited again (by anyone) for a long while.
    ended_by = _refused_addresses_of(by, link.invitee_email) if link.refused_by_invitee else _verified_emails(by)
    refuse_family_invitations(ended_by, DoNotInvite.Reason.ENDED)


@transaction.atomic
def unlink(user: User, other_id: int) -> None:
    """End the link (or withdraw the invitation) of one of ``user``'s Others. Silent."""
    other = get_own_other(user, other_id)
    links = list(open_links_of_other(other).select_for_update(of=("self",)))
    if not links:
        raise ActionError(f"“{other.name}” is not linked.", "conflict")
    for link in links:
        _close_link(link, user)


# ---------------------------------------------------------------- therapists


def therapist_directory() -> QuerySet[User]:
    from individuate.accounts.actions import therapists_accepting_clients

    return therapists_accepting_clients()


# A connection still "open": asked for or accepted, not yet declined or ended.
OPEN_CONNECTION = (TherapistConnection.Status.PENDING, TherapistConnection.Status.ACTIVE)


def connections_of_client(client: User) -> QuerySet[TherapistConnection]:
    return (
        TherapistConnection.objects.filter(client=client)
        .exclude(status=TherapistConnection.Status.DECLINED)
        .select_related("therapist__therapist_profile")
        .prefetch_related("grants")
    )


def open_connections_of_client(client: User) -> QuerySet[TherapistConnection]:
    return connections_of_client(client).filter(status__in=OPEN_CONNECTION)


def clients_of_therapist(therapist: User) -> QuerySet[TherapistConnection]:
    return TherapistConnection.objects.filter(
        therapist=therapist, status=TherapistConnection.Status.ACTIVE
    ).select_related("client")


def pending_for_therapist(therapist: User) -> QuerySet[TherapistConnection]:
    return TherapistConnection.objects.filter(
        therapist=therapist, status=TherapistConnection.Status.PENDING
    ).select_related("client")


def _open_connection_exists(therapist: User, client: User) -> bool:
    return TherapistConnection.objects.filter(
        therapist=therapist,
        client=client,
        status__in=OPEN_CONNECTION,
    ).exists()


@transaction.atomic
def request_therapist(client: User, therapist_id: int, message: str = "") -> TherapistConnection:
    from individuate.accounts.actions import get_therapist

    if client.is_therapist:
        raise ActionError("Therapist accounts cannot ask to be a client.", "forbidden")
    therapist = get_therapist(therapist_id, accepting=True)
    if len(message or "") > 500:
        raise ActionError("The message can be at most 500 characters.")
    limits.lock(f"connection-request:client:{client.pk}")  # concurrent requests counted one by one
    if _open_connection_exists(therapist, client):
        raise ActionError(f"You already have a connection with {therapist.name}.", "conflict")
    since = timezone.now() - timedelta(days=1)
    if client.therapist_connections.filter(created_at__gte=since).count() >= CONNECTION_REQUESTS_PER_DAY:
        raise ActionError("You have sent enough requests for today. Try again tomorrow.", "conflict")
    # Asking again soon after withdrawing does not e-mail the therapist again.
    welcome = not TherapistConnection.objects.filter(therapist=therapist, client=client, created_at__gte=since).exists()
    try:
        with transaction.atomic():
            connection = TherapistConnection.objects.create(
                therapist=therapist,
                client=client,
                initiated_by=TherapistConnection.Initiator.CLIENT,
                message=(message or "").strip(),
            )
    except IntegrityError as exc:
        raise ActionError(f"You already have a connection with {therapist.name}.", "conflict") from exc
    if welcome:
        queue_email(
            "boundaries/connection-request",
            to=therapist,
            about=client,
            context={"dashboard_path": reverse("portal:dashboard")},
        )
    return connection


@transaction.atomic
def invite_client(therapist: User, email: str, message: str = "") -> tuple[TherapistConnection, str]:
    if not therapist.is_therapist:
        raise ActionError("Only therapists can invite clients.", "forbidden")
    email = _clean_email(email)
    if email in _verified_emails(therapist) or email == therapist.email.lower():
        raise ActionError("You cannot invite yourself.")
    if len(message or "") > 500:
        raise ActionError("The message can be at most 500 characters.")
    limits.lock(f"client-invite:therapist:{therapist.pk}", limits.address_key("client-invite:to", email))
    now = timezone.now()
    sent = TherapistConnection.objects.filter(therapist=therapist, invite_email=email)
    # An expired invitation no longer blocks a new one.
    CONNECTION.move_all(sent.filter(client__isnull=True, expires_at__lte=now), "lapse")
    if sent.filter(client__isnull=True, status=TherapistConnection.Status.PENDING).exists():
        raise ActionError("You have already invited this address.", "conflict")
    recent = TherapistConnection.objects.filter(
        therapist=therapist,
        initiated_by=TherapistConnection.Initiator.THERAPIST,
        created_at__gte=now - timedelta(days=1),
    )
    if recent.count() >= CLIENT_INVITES_PER_DAY:
        raise ActionError("You have sent enough invitations for today.", "conflict")
    welcome = _invitation_email_is_welcome(sent)
    raw, token_hash = new_token()
    try:
        with transaction.atomic():
            connection = TherapistConnection.objects.create(
                therapist=therapist,
                invite_email=email,
                initiated_by=TherapistConnection.Initiator.THERAPIST,
                message=(message or "").strip(),
                token_hash=token_hash,
            )
    except IntegrityError as exc:
        raise ActionError("You have already invited this address.", "conflict") from exc
    if welcome:
        queue_email(
            "boundaries/connection-invitation",
            to=email,
            about=therapist,
            context={
                "therapist_name": therapist.name,
                "accept_path": reverse("boundaries:connection_accept", args=[raw]),
            },
        )
    return connection, raw


def _invited_connection_for(
    user: User, raw_token: str = "", *, connection_id: int | None = None
) -> TherapistConnection:
    """The invitation by its e-mailed token, or by id when answered inside the app (the
    same rules: still pending, not expired, sent to one of the person's verified addresses)."""
    found = TherapistConnection.objects.select_for_update(of=("self",)).select_related("therapist__therapist_profile")
    if connection_id is not None:
        connection = found.filter(
            pk=connection_id, client__isnull=True, initiated_by=TherapistConnection.Initiator.THERAPIST
        ).first()
    else:
        connection = found.filter(token_hash=hash_token(raw_token or "")).first()
    _check_claim(
        connection,
        user,
        sender_id=connection.therapist_id if connection else 0,
        email=connection.invite_email if connection else "",
    )
    assert connection is not None
    if user.is_therapist:
        raise ActionError("Therapist accounts cannot be clients.", "forbidden")
    return connection


def peek_connection_invitation(user: User, raw_token: str) -> TherapistConnection:
    with transaction.atomic():
        return _invited_connection_for(user, raw_token)


def therapist_invitations_for(user: User) -> QuerySet[TherapistConnection]:
    """Therapists' invitations waiting for this person, to answer inside the app."""
    return TherapistConnection.objects.filter(
        invite_email__in=_verified_emails(user),
        client__isnull=True,
        initiated_by=TherapistConnection.Initiator.THERAPIST,
        status=TherapistConnection.Status.PENDING,
        expires_at__gt=timezone.now(),
    ).select_related("therapist__therapist_profile")


@transaction.atomic
def answer_connection_invitation(user: User, connection_id: int, *, accept: bool) -> TherapistConnection:
    """Accept or decline a therapist's invitation from the dashboard, without the e-mail."""
    connection = _invited_connection_for(user, connection_id=connection_id)
    if accept:
        return _accept(user, connection)
    return _decline(user, connection)


@transaction.atomic
def accept_connection_invitation(user: User, raw_token: str) -> TherapistConnection:
    return _accept(user, _invited_connection_for(user, raw_token))


def _accept(user: User, connection: TherapistConnection) -> TherapistConnection:
    if _open_connection_exists(connection.therapist, user):
        raise ActionError(f"You are already connected with {connection.therapist.name}.", "conflict")
    clash = f"You are already connected with {connection.therapist.name}."
    return CONNECTION.move(connection, "accept", by=user, clash=clash, client=user)


@transaction.atomic
def decline_connection_invitation(user: User, raw_token: str) -> TherapistConnection:
    return _decline(user, _invited_connection_for(user, raw_token))


def _decline(user: User, connection: TherapistConnection) -> TherapistConnection:
    return CONNECTION.move(connection, "decline", by=user, refused_by_invitee=True)


def _connection_for(user: User, connection_id: int) -> TherapistConnection:
    connection = (
        TherapistConnection.objects.select_for_update(of=("self",))
        .filter(Q(client=user) | Q(therapist=user), pk=connection_id)
        .first()
    )
    if connection is None:
        raise ActionError("Not found.", "not_found")
    return connection


@transaction.atomic
def answer_connection_request(therapist: User, connection_id: int, accept: bool) -> TherapistConnection:
    """A therapist accepts or declines a client's request to connect."""
    from .policy import therapist_may_see_clients

    if not therapist_may_see_clients(therapist):
        raise ActionError(MFA_REQUIRED, "forbidden")
    connection = _connection_for(therapist, connection_id)
    # The state machine lets only the invited side answer: here, the therapist a client asked.
    return CONNECTION.move(connection, "accept" if accept else "decline", by=therapist)


def ending_consequences(user: User, connection_id: int) -> tuple[TherapistConnection, list[str]]:
    """What ending (or withdrawing) a connection will do, in sentences, before it is done."""
    connection = (
        TherapistConnection.objects.filter(Q(client=user) | Q(therapist=user), pk=connection_id)
        .select_related("therapist__therapist_profile", "client")
        .first()
    )
    if connection is None:
        raise ActionError("Not found.", "not_found")
    if connection.status not in OPEN_CONNECTION:
        raise ActionError("This connection has already ended.", "conflict")
    from .policy import therapist_may_see_clients

    client_side = connection.client_id == user.pk
    if client_side:
        other_name = connection.therapist.name
    elif connection.client is not None and therapist_may_see_clients(user):
        other_name = connection.client.name
    else:
        other_name = "this client"  # no client names without two-factor
    if connection.status == TherapistConnection.Status.PENDING:
        return connection, [f"Withdraw the request{f' with {other_name}' if other_name else ''}. Nothing was shared."]
    lines = []
    live_grants = connection.grants.filter(revoked_at__isnull=True)
    shared = sorted(SCOPE_TITLES.get(g.scope, g.scope).lower() for g in live_grants)
    if client_side:
        lines.append(
            f"End your connection with {other_name}: from now on they see nothing of yours"
            + (f" (today they may see your {', '.join(shared)})." if shared else ".")
        )
    else:
        lines.append(f"End your connection with {other_name}: you will no longer see anything they shared.")
    if connection.client is not None:
        lines += [
            line
            for _, line in connection_ending.send(
                sender=TherapistConnection, client=connection.client, therapist=connection.therapist, viewer=user
            )
            if line
        ]
    lines.append("To work together again, one of you has to ask to connect again.")
    return connection, lines


@transaction.atomic
def end_connection(user: User, connection_id: int) -> None:
    """Either side ends a connection (or withdraws a pending one). All grants stop."""
    connection = _connection_for(user, connection_id)
    event: Event = "withdraw" if connection.status == TherapistConnection.Status.PENDING else "end"
    CONNECTION.move(connection, event, by=user, refused_by_invitee=connection.client_id == user.pk)
    now = connection.ended_at
    scopes = set(connection.grants.filter(revoked_at__isnull=True).values_list("scope", flat=True))
    connection.grants.filter(revoked_at__isnull=True).update(revoked_at=now)
    if connection.client is not None:
        consent_withdrawn.send(
            sender=TherapistConnection,
            ended=True,
            client=connection.client,
            therapist=connection.therapist,
            scopes=scopes,
        )


def _client_connection(client: User, connection_id: int) -> TherapistConnection:
    connection = _connection_for(client, connection_id)
    if connection.client_id != client.pk:
        raise ActionError("Only the client decides what is shared.", "forbidden")
    if connection.status != TherapistConnection.Status.ACTIVE:
        raise ActionError("You can share only with a therapist you are connected to.", "conflict")
    return connection


def _clean_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise ActionError(f"There is no scope “{scope}”. Scopes: {', '.join(SCOPES)}.")
    return scope


@transaction.atomic
def grant_scope(client: User, connection_id: int, scope: str) -> ConsentGrant:
    scope = _clean_scope(scope)
    connection = _client_connection(client, connection_id)
    if connection.grants.filter(scope=scope, revoked_at__isnull=True).exists():
        raise ActionError(f"“{scope}” is already shared.", "conflict")
    try:
        with transaction.atomic():
            return ConsentGrant.objects.create(connection=connection, scope=scope)
    except IntegrityError as exc:
        raise ActionError(f"“{scope}” is already shared.", "conflict") from exc


@transaction.atomic
def revoke_scope(client: User, connection_id: int, scope: str) -> None:
    scope = _clean_scope(scope)
    connection = _client_connection(client, connection_id)
    changed = connection.grants.filter(scope=scope, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not changed:
        raise ActionError(f"“{scope}” is not shared, so there is nothing to revoke.", "conflict")
    consent_withdrawn.send(
        sender=TherapistConnection, ended=False, client=client, therapist=connection.therapist, scopes={scope}
    )


def access_log(owner: User) -> QuerySet[AccessEvent]:
    """The owner's view of who read their records (allowed reads only)."""
    return AccessEvent.objects.filter(owner=owner, allowed=True)


# Where a read happened, in words, by the page's URL name (the policy logs the path).
_PLACES = {
    "portal:practice_dashboard": "in their week overview",
    "portal:dashboard": "on their dashboard",
    "portal:clients": "in their client list",
    "boundaries:shared_overview": "on your overview page",
    "boundaries:shared_records": "on a page of your shared records",
    "measures:client_measures": "on your questionnaires page",
    "measures:client_measures_csv": "as a download of your questionnaire results",
    "measures:client_response": "one questionnaire's answers, question by question",
    "healing:client_plan": "on your plan page",
    "healing:client_suggest": "while suggesting a step for your plan",
    "measures:flag_seen": "while marking a safety answer as seen",
    "measures:assignment_create": "while assigning a questionnaire",
    "measures:assignment_end": "while stopping a questionnaire",
}


def _place(event: AccessEvent) -> str:
    if event.via == AccessEvent.Via.API:
        return "through the API"
    if event.path == "safety-flags":
        return "to see whether you have a new safety answer"
    try:
        name = resolve(event.path).view_name if event.path.startswith("/") else None
    except Resolver404:
        name = None
    return _PLACES.get(name or "", "")


@dataclass(frozen=True)
class AccessSummary:
    """Repeated reads grouped: one row per viewer, kind of record and hour, with a count."""

    hour: datetime
    last: datetime
    viewer_label: str
    kind: str
    what: str
    places: tuple[str, ...]
    count: int


def access_summary(owner: User, *, limit: int = 2000) -> list[AccessSummary]:
    """The owner's access log, newest first, grouped by viewer, kind and hour (their zone)."""
    zone = zone_of(owner)
    groups: dict[tuple[str, str, datetime], list[AccessEvent]] = {}
    for event in access_log(owner)[:limit]:
        hour = event.at.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        groups.setdefault((event.viewer_label, event.kind, hour), []).append(event)
    rows = []
    for (viewer_label, kind, hour), events in groups.items():
        record_kind = KINDS.get(kind)
        places = tuple(dict.fromkeys(p for p in map(_place, events) if p))
        rows.append(
            AccessSummary(
                hour=hour,
                last=events[0].at,
                viewer_label=viewer_label,
                kind=kind,
                what=record_kind.label if record_kind else kind.replace("_", " ").capitalize(),
                places=places,
                count=len(events),
            )
        )
    return sorted(rows, key=lambda r: r.last, reverse=True)


# ---------------------------------------------------------------- account deletion


def erase_person(user: User) -> None:
    """Before an account goes: other people's access logs say "a deleted account", and a
    therapist's unanswered invitations to this person's addresses end with them."""
    addresses = {user.email.lower()} | {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    AccessEvent.objects.filter(viewer=user).update(viewer_label="a deleted account")
    CONNECTION.move_all(
        TherapistConnection.objects.filter(invite_email__in=addresses, client__isnull=True),
        "lapse",
        invite_email="",
        token_hash=None,
    )
