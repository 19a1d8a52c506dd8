"""The one place that answers: may VIEWER see this kind of record of OWNER?

Every page and API endpoint that reads another person's data calls
:func:`check` (or :func:`require`), which decides and writes the access log.

Rules, in order:
1. A person always sees their own records (not logged: nobody else read them).
2. Only an active therapist connection ever opens another person's records —
   never a family link, and never an account without one.
3. The therapist must have two-factor authentication switched on.
4. The record kind's scope must be granted right now (grants are read on every
   request, so a revoke is effective on the next one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allauth.mfa.utils import is_mfa_enabled

from individuate.core.records import CONNECTION, KINDS, OWNER_ONLY, RecordKind, register_kind

from .models import SCOPES, AccessEvent, ConsentGrant, TherapistConnection

if TYPE_CHECKING:
    from individuate.accounts.models import User


for _scope_name, _scope_label in SCOPES.items():
    register_kind(_scope_name, _scope_label, _scope_name)
register_kind("profile", "Profile (name, how you describe yourself, time zone)", CONNECTION)
register_kind("others", "The people you track", "checkins")
register_kind("access_log", "Access log", OWNER_ONLY)
register_kind("export", "Data export", OWNER_ONLY)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    message: str
    # The HTTP status a refusal should get: 404 when the viewer has no business
    # knowing the records exist, 403 when they do but may not read them.
    status: int = 200


def _deny(reason: str, message: str, status: int = 404) -> Decision:
    return Decision(False, reason, message, status)


NOT_FOUND = "Not found."


def _known_scope(kind: RecordKind) -> bool:
    return kind.scope in SCOPES or kind.scope in (CONNECTION, OWNER_ONLY)


def active_connection(therapist: User, client: User) -> TherapistConnection | None:
    return (
        TherapistConnection.objects.filter(therapist=therapist, client=client, status=TherapistConnection.Status.ACTIVE)
        .only("id")
        .first()
    )


def decide(viewer: User | None, owner: User | None, kind: str) -> Decision:
    """Decide without side effects. Prefer :func:`check`, which also logs."""
    record_kind = KINDS.get(kind)
    if record_kind is None or not _known_scope(record_kind):
        return _deny("unknown_kind", f"There is no record kind {kind!r}.")
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return _deny("anonymous", "Please log in.", 401)
    if owner is None or not owner.is_active:
        return _deny("no_owner", NOT_FOUND)
    if viewer.pk == owner.pk:
        return Decision(True, "self", "Your own records.")
    if record_kind.scope == OWNER_ONLY:
        return _deny("owner_only", NOT_FOUND)
    if not viewer.is_therapist:
        # Family links and everyone else: never. Say nothing about whether the
        # owner exists or what they have.
        return _deny("no_relationship", NOT_FOUND)
    profile = getattr(viewer, "therapist_profile", None)
    if profile is None or profile.approved_at is None:
        return _deny("not_approved", NOT_FOUND)  # an account waiting for the operator sees no client
    connection = active_connection(viewer, owner)
    if connection is None:
        return _deny("not_connected", NOT_FOUND)
    if not is_mfa_enabled(viewer):
        return _deny(
            "mfa_required",
            "Switch on two-factor authentication before you can see any client's data.",
            403,
        )
    if record_kind.scope == CONNECTION:
        return Decision(True, "connection", "Connected therapist.")
    if connection.grants.filter(scope=record_kind.scope, revoked_at__isnull=True).exists():
        return Decision(True, f"grant:{record_kind.scope}", "Shared by the client.")
    return _deny(
        "not_granted",
        f"This client has not shared “{record_kind.label.lower()}” with you.",
        403,
    )


def check(viewer: User | None, owner: User | None, kind: str, *, via: str, path: str = "") -> Decision:
    """Decide, and log every read of another person's records (denials too)."""
    decision = decide(viewer, owner, kind)
    record_access(viewer, owner, kind, decision, via=via, path=path)
    return decision


def record_access(
    viewer: User | None, owner: User | None, kind: str, decision: Decision, *, via: str, path: str = ""
) -> None:
    """Write the access-log row for a read decided by a room's own rule (e.g. a mediation case)."""
    is_self = viewer is not None and owner is not None and viewer.pk == owner.pk
    if not is_self and viewer is not None and viewer.is_authenticated:
        AccessEvent.objects.create(
            owner=owner if owner is not None and owner.pk else None,
            viewer=viewer,
            viewer_label=_label(viewer),
            kind=kind[:40],
            via=via,
            allowed=decision.allowed,
            reason=decision.reason,
            path=path[:300],
        )


def decide_joint(viewer: User | None, parties: tuple[User, User], consents: dict[int, tuple[bool, bool]]) -> Decision:
    """May VIEWER see the joint coupling report of two linked people?

    ``consents`` maps each party's id to (opted in, share with the other). Raw
    entries never cross; the derived joint report is computed only when both opted
    in, shown to both only when both chose to share it with each other, and
    otherwise only to a therapist who holds the ``coupling`` grant of either party.
    """
    if viewer is None or not viewer.is_authenticated:
        return _deny("anonymous", "Please log in.", 401)
    both_in = all(consents.get(p.pk, (False, False))[0] for p in parties)
    if not both_in:
        return _deny("not_opted_in", NOT_FOUND)
    if viewer.pk in {p.pk for p in parties}:
        if all(consents[p.pk][1] for p in parties):
            return Decision(True, "joint_shared", "You both chose to share this report with each other.")
        return _deny("joint_not_shared", NOT_FOUND)
    for party in parties:
        if decide(viewer, party, "coupling_report").allowed:
            return Decision(True, "grant:coupling", "Shared by a client through the coupling grant.")
    return _deny("no_relationship", NOT_FOUND)


def check_joint(
    viewer: User | None,
    parties: tuple[User, User],
    consents: dict[int, tuple[bool, bool]],
    *,
    via: str,
    path: str = "",
) -> Decision:
    """Decide, and log the read in both parties' access logs (denials for the operator)."""
    decision = decide_joint(viewer, parties, consents)
    if viewer is not None and viewer.is_authenticated:
        for party in parties:
            if party.pk == viewer.pk:
                continue
            AccessEvent.objects.create(
                owner=party,
                viewer=viewer,
                viewer_label=_label(viewer),
                kind="joint_coupling_report",
                via=via,
                allowed=decision.allowed,
                reason=decision.reason,
                path=path[:300],
            )
    return decision


def require_owner(viewer: User | None, owner_id: int, kind: str, *, via: str, path: str = "") -> User:
    """Look up an active person by id and require that VIEWER may read their KIND.

    Raises :class:`AccessDenied` (logged) when the person does not exist or the read is
    not allowed; returns the person otherwise."""
    from individuate.accounts.models import User as UserModel

    owner = UserModel.objects.filter(pk=owner_id, is_active=True).first()
    require(viewer, owner, kind, via=via, path=path)
    assert owner is not None  # require() refuses a missing owner
    return owner


def is_connected(therapist: User, client: User) -> bool:
    """An active therapist connection exists (says nothing about what is shared)."""
    return active_connection(therapist, client) is not None


def connected_client_ids(therapist: User) -> list[int]:
    return list(
        TherapistConnection.objects.filter(therapist=therapist, status=TherapistConnection.Status.ACTIVE).values_list(
            "client_id", flat=True
        )
    )


def therapists_with_scope(client: User, scope: str) -> list[User]:
    """The therapists who may read CLIENT's SCOPE right now: an active connection, the
    grant held, and two-factor on — the same rule :func:`decide` applies."""
    connections = TherapistConnection.objects.filter(
        client=client,
        status=TherapistConnection.Status.ACTIVE,
        grants__scope=scope,
        grants__revoked_at__isnull=True,
    ).select_related("therapist__therapist_profile")
    return [c.therapist for c in connections if c.therapist.is_active and therapist_may_see_clients(c.therapist)]


def therapist_may_see_clients(viewer: User) -> bool:
    """A therapist sees nothing of any client — not even names — before the operator
    approved the account and without two-factor."""
    profile = getattr(viewer, "therapist_profile", None) if viewer.is_therapist else None
    return bool(profile is not None and profile.approved_at is not None and is_mfa_enabled(viewer))


def may_name_client(therapist: User, client: User | None) -> bool:
    """Whether a therapist's own pages or data export may name this client: two-factor on
    and the connection active now. An ended connection's client is not named at all."""
    return client is not None and therapist_may_see_clients(therapist) and is_connected(therapist, client)


class AccessDenied(Exception):
    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.message)
        self.decision = decision


def require(viewer: User | None, owner: User | None, kind: str, *, via: str, path: str = "") -> Decision:
    decision = check(viewer, owner, kind, via=via, path=path)
    if not decision.allowed:
        raise AccessDenied(decision)
    return decision


def _label(viewer: User) -> str:
    if viewer.is_therapist and hasattr(viewer, "therapist_profile"):
        return f"{viewer.therapist_profile.display_name} (therapist)"
    return viewer.name


def shareable_kinds(kind: str) -> list[str] | None:
    """The record kinds a shared-records page for ``kind`` (a scope) shows.

    ``None`` when ``kind`` is not a kind that can be shared page by page.
    """
    record_kind = KINDS.get(kind)
    if record_kind is None or record_kind.scope in (OWNER_ONLY, CONNECTION):
        return None
    return [kind] + [k for k, rk in KINDS.items() if rk.scope == record_kind.scope and k != kind]


def decide_many(viewer: User, owners: list[User], kind: str) -> dict[int, Decision]:
    """:func:`decide` for many owners at once (a therapist's client list, the week view).

    The same rules in the same order, decided in memory from a few queries (two-factor,
    the viewer's connections with their grants) — so a page with 200 clients costs the
    same handful of queries as one with 2. Writes nothing: log with :func:`log_reads`
    (or use :func:`check_many`)."""
    return decide_kinds(viewer, owners, [kind])[kind]


def decide_kinds(viewer: User, owners: list[User], kinds: list[str]) -> dict[str, dict[int, Decision]]:
    """:func:`decide_many` for several record kinds at once: two-factor and the
    connections are looked up once, the grants of every scope in one query."""
    owners = [o for o in owners if o is not None]
    record_kinds = {kind: KINDS.get(kind) for kind in kinds}
    out: dict[str, dict[int, Decision]] = {}
    batched = []
    for kind, record_kind in record_kinds.items():
        if record_kind is None or not _known_scope(record_kind) or not owners:
            out[kind] = {o.pk: decide(viewer, o, kind) for o in owners}
        else:
            batched.append(kind)
    if not batched:
        return out
    mfa = viewer.is_therapist and is_mfa_enabled(viewer)
    # Two flat queries (no model instance per connection or grant): which owners are
    # connected, and which scopes each has shared.
    connected = set(
        TherapistConnection.objects.filter(
            therapist=viewer, client_id__in=[o.pk for o in owners], status=TherapistConnection.Status.ACTIVE
        ).values_list("client_id", flat=True)
    )
    scopes = {record_kinds[k].scope for k in batched} - {OWNER_ONLY, CONNECTION}  # type: ignore[union-attr]
    shared: set[tuple[int, str]] = (
        set(
            ConsentGrant.objects.filter(
                connection__therapist=viewer,
                connection__client_id__in=connected,
                connection__status=TherapistConnection.Status.ACTIVE,
                scope__in=scopes,
                revoked_at__isnull=True,
            ).values_list("connection__client_id", "scope")
        )
        if connected and scopes
        else set()
    )
    for kind in batched:
        record_kind = record_kinds[kind]
        assert record_kind is not None
        decisions: dict[int, Decision] = {}
        for owner in owners:
            if viewer.pk == owner.pk or not viewer.is_therapist or not owner.is_active:
                decisions[owner.pk] = decide(viewer, owner, kind)
                continue
            if record_kind.scope == OWNER_ONLY:
                decisions[owner.pk] = _deny("owner_only", NOT_FOUND)
            elif owner.pk not in connected:
                decisions[owner.pk] = _deny("not_connected", NOT_FOUND)
            elif not mfa:
                decisions[owner.pk] = _deny(
                    "mfa_required", "Switch on two-factor authentication before you can see any client's data.", 403
                )
            elif record_kind.scope == CONNECTION:
                decisions[owner.pk] = Decision(True, "connection", "Connected therapist.")
            elif (owner.pk, record_kind.scope) in shared:
                decisions[owner.pk] = Decision(True, f"grant:{record_kind.scope}", "Shared by the client.")
            else:
                decisions[owner.pk] = _deny(
                    "not_granted", f"This client has not shared “{record_kind.label.lower()}” with you.", 403
                )
        out[kind] = decisions
    return out


def log_reads(
    viewer: User, owners: list[User], kind: str, decisions: dict[int, Decision], *, via: str, path: str = ""
) -> None:
    """Write the access events of many reads (or refusals) with one insert."""
    log_kinds(viewer, {kind: (owners, decisions)}, via=via, path=path)


def log_kinds(
    viewer: User, reads: dict[str, tuple[list[User], dict[int, Decision]]], *, via: str, path: str = ""
) -> None:
    """:func:`log_reads` for several record kinds, still one insert."""
    label = _label(viewer)
    events = [
        AccessEvent(
            owner=owner,
            viewer=viewer,
            viewer_label=label,
            kind=kind[:40],
            via=via,
            allowed=decisions[owner.pk].allowed,
            reason=decisions[owner.pk].reason,
            path=path[:300],
        )
        for kind, (owners, decisions) in reads.items()
        for owner in owners
        if owner.pk != viewer.pk
    ]
    if events:
        AccessEvent.objects.bulk_create(events)


def check_many(viewer: User, owners: list[User], kind: str, *, via: str, path: str = "") -> dict[int, Decision]:
    """:func:`check` for many owners at once: decide in memory, log every read in one insert."""
    owners = [o for o in owners if o is not None]
    decisions = decide_many(viewer, owners, kind)
    log_reads(viewer, owners, kind, decisions, via=via, path=path)
    return decisions
