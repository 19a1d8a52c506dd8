"""Who may read what in a mediation case — decided here, logged through ``boundaries``.

A case is not one person's records, so the generic grant rules do not fit; the rules are:

* the case's mediator sees everything in the case — with two-factor on, like every
  therapist reading anyone's data;
* a parent sees the shared plan (versions, agreements, sessions), their own comments,
  notes and contact details; the mediator's comments unless addressed to the other parent
  only; the other parent's comments only when the case is not in separate-sessions mode;
  the other parent's contact details only if that parent shared them; the other parent's
  private notes to the mediator never;
* everybody else — a linked family member, another client, another therapist — is told
  the case does not exist (404).

Every read by someone other than the record's owner is written to the owners' access
log with :func:`individuate.boundaries.policy.record_access` (denials too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from individuate.boundaries.policy import AccessDenied, Decision, record_access, therapist_may_see_clients

from .models import Case, Comment, Party, PrivateNote

if TYPE_CHECKING:
    from individuate.accounts.models import User

PLAN = "mediation_plan"
DISCUSSION = "mediation_comment"
NOTE = "mediation_private_note"
CONTACT = "mediation_contact"
KINDS = {
    PLAN: "Mediation: the shared parenting plan, its versions and agreements",
    DISCUSSION: "Mediation: comments and proposals on the plan",
    NOTE: "Mediation: private notes to the mediator",
    CONTACT: "Mediation: contact details given in a case",
}
NOT_FOUND = "There is no such case."
MFA_MESSAGE = "Switch on two-factor authentication before you open a mediation case."


@dataclass(frozen=True)
class Role:
    case: Case
    mediator: bool
    party: Party | None

    @property
    def is_parent(self) -> bool:
        return self.party is not None


def _deny(reason: str, message: str = NOT_FOUND, status: int = 404) -> Decision:
    return Decision(False, reason, message, status)


def role_of(viewer: User | None, case: Case) -> Role | None:
    if viewer is None or not viewer.is_authenticated:
        return None
    if case.mediator_id == viewer.pk:
        return Role(case, True, None)
    party = next((p for p in case.parties.all() if p.user_id == viewer.pk), None)
    return Role(case, False, party) if party is not None else None


def decide(
    viewer: User | None, case: Case, kind: str, *, owner: User | None = None, party: Party | None = None
) -> Decision:
    """May ``viewer`` read this kind of record in ``case``? ``owner`` wrote it; ``party`` it is about."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return _deny("anonymous", "Please log in.", 401)
    role = role_of(viewer, case)
    if role is None:
        return _deny("not_in_case")
    if role.mediator:
        if not therapist_may_see_clients(viewer):
            return _deny("mfa_required", MFA_MESSAGE, 403)
        return Decision(True, "mediator", "The case's mediator.")
    assert role.party is not None
    if kind == PLAN:
        return Decision(True, "parent", "A parent in the case.")
    own = owner is not None and owner.pk == viewer.pk
    if kind == DISCUSSION:
        if own or owner is None or owner.pk == case.mediator_id:
            return Decision(True, "parent", "A parent in the case.")
        if case.separate_sessions:
            return _deny("separate_sessions")
        return Decision(True, "parent", "A parent in the case.")
    if kind == NOTE:
        return Decision(True, "self", "Your own note.") if own else _deny("private_note")
    if kind == CONTACT:
        if party is not None and party.pk == role.party.pk:
            return Decision(True, "self", "Your own details.")
        if party is not None and party.share_contact:
            return Decision(True, "shared", "Shared by the other parent.")
        return _deny("contact_not_shared")
    return _deny("unknown_kind")


def check(
    viewer: User | None,
    case: Case,
    kind: str,
    *,
    via: str,
    path: str = "",
    owner: User | None = None,
    party: Party | None = None,
) -> Decision:
    """Decide and log: one row in the access log of each person whose record it is."""
    decision = decide(viewer, case, kind, owner=owner, party=party)
    if owner is not None:
        owners = [owner]
    elif party is not None:
        owners = [party.user] if party.user is not None else []
    else:
        owners = [p.user for p in case.parties.all() if p.user is not None]
    for person in owners:
        record_access(viewer, person, kind, decision, via=via, path=path)
    return decision


def require(viewer: User | None, case: Case, kind: str, *, via: str, path: str = "", **about: object) -> Role:
    decision = check(viewer, case, kind, via=via, path=path, **about)  # type: ignore[arg-type]
    if not decision.allowed:
        raise AccessDenied(decision)
    role = role_of(viewer, case)
    assert role is not None
    return role


def open_case(viewer: User | None, case_id: int, kind: str = PLAN, *, via: str, path: str = "") -> Role:
    """The case by id for a reader, decided and logged; 404 for a case that does not exist or is not theirs."""
    case = Case.objects.prefetch_related("parties__user", "children").filter(pk=case_id).first()
    if case is None:
        raise AccessDenied(_deny("no_case"))
    return require(viewer, case, kind, via=via, path=path)


def visible_comments(viewer: User, role: Role) -> QuerySet[Comment]:
    """The comments and proposals ``viewer`` may read (already checked as a kind by the caller)."""
    comments = Comment.objects.filter(case=role.case).select_related("author", "version", "to_party")
    if role.mediator:
        return comments
    # the mediator's words for the other parent only are not for this parent
    comments = comments.filter(Q(to_party__isnull=True) | Q(to_party=role.party))
    if not role.case.separate_sessions:
        return comments
    return comments.filter(Q(author=viewer) | Q(author_id=role.case.mediator_id))


def log_comment_reads(viewer: User, role: Role, comments: list[Comment], *, via: str, path: str = "") -> None:
    """One access-log row per author whose comments ``viewer`` was shown (not their own)."""
    authors = {c.author_id: c.author for c in comments if c.author_id != viewer.pk}
    for author in authors.values():
        check(viewer, role.case, DISCUSSION, via=via, path=path, owner=author)


def visible_notes(viewer: User, role: Role) -> QuerySet[PrivateNote]:
    notes = PrivateNote.objects.filter(case=role.case).select_related("author")
    return notes if role.mediator else notes.filter(author=viewer)


def cases_of(viewer: User) -> QuerySet[Case]:
    """The cases a person is in (mediator or parent); a mediator without two-factor sees none."""
    mine = Q(parties__user=viewer)
    if therapist_may_see_clients(viewer):
        mine |= Q(mediator=viewer)
    return Case.objects.filter(mine).distinct().prefetch_related("parties")


__all__ = ["AccessDenied", "Role", "check", "decide", "open_case", "require", "role_of"]
