"""What the mediation app does: open cases, invite parents, write versions, discuss, agree.

Every function checks who may do it, validates, and either changes everything or
nothing (``ActionError`` with a message a person can act on). Views, the API and the
demo call these; nothing else writes the models.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from individuate.boundaries.policy import therapist_may_see_clients
from individuate.core.errors import ActionError
from individuate.core.mail import queue_email
from individuate.practice.actions import upcoming_for

from . import plan_document, schedule
from .access import MFA_MESSAGE, Role, role_of
from .models import (
    Agreement,
    Case,
    CaseSession,
    Child,
    Comment,
    FeedToken,
    Party,
    PlanVersion,
    PrivateNote,
    hash_token,
    new_token,
)

if TYPE_CHECKING:
    from individuate.accounts.models import User

MAX_CHILDREN = 8


def _mediator(user: User, case: Case) -> None:
    if case.mediator_id != user.pk:
        raise ActionError("Only the case's mediator can do this.", "forbidden")
    if not therapist_may_see_clients(user):
        raise ActionError(MFA_MESSAGE, "forbidden")


def _member(user: User, case: Case) -> Role:
    role = role_of(user, case)
    if role is None:
        raise ActionError("There is no such case.", "not_found")
    if role.mediator and not therapist_may_see_clients(user):
        raise ActionError(MFA_MESSAGE, "forbidden")
    return role


def _label(user: User) -> str:
    return f"{user.name} (mediator)" if user.is_therapist else user.name


# --- cases -----------------------------------------------------------------------------


@transaction.atomic
def open_case(
    mediator: User,
    *,
    title: str,
    parent_a: str,
    parent_b: str,
    children: list[tuple[str, date]],
    starts: date,
    separate_sessions: bool = False,
    must_not_meet: bool = False,
) -> Case:
    """A new case with both parents as names (invite them later) and a first draft."""
    if not therapist_may_see_clients(mediator):
        raise ActionError(MFA_MESSAGE, "forbidden")
    title, parent_a, parent_b = title.strip(), parent_a.strip(), parent_b.strip()
    if not title:
        raise ActionError("Give the case a title, e.g. the family's name.")
    errors = schedule.validate(
        {"parents": [parent_a, parent_b], "regular": {"pattern": "alternating-weeks", "starts": starts.isoformat()}}
    )
    if errors:
        raise ActionError(" ".join(errors))
    if len(children) > MAX_CHILDREN:
        raise ActionError(f"A case holds at most {MAX_CHILDREN} children.")
    for name, born in children:
        if not name.strip():
            raise ActionError("Give each child's first name.")
        if born > timezone.localdate():
            raise ActionError(f"{name}'s birth date is in the future.")
    case = Case.objects.create(
        mediator=mediator, title=title, separate_sessions=separate_sessions, must_not_meet=must_not_meet
    )
    Party.objects.create(case=case, role=Party.Role.A, name=parent_a)
    Party.objects.create(case=case, role=Party.Role.B, name=parent_b)
    for name, born in children:
        Child.objects.create(case=case, first_name=name.strip(), birth_date=born)
    document = plan_document.new_document([parent_a, parent_b], starts.isoformat(), title=f"Parenting plan — {title}")
    document["children"] = [{"name": n.strip(), "born": b.isoformat()} for n, b in children]
    if must_not_meet:
        document["exchange"]["place"] = "A neutral place agreed with the mediator"
    _write_version(case, mediator, document, "Opened the case with a first draft.")
    return case


@transaction.atomic
def update_case(mediator: User, case: Case, *, separate_sessions: bool, must_not_meet: bool) -> Case:
    _mediator(mediator, case)
    case.separate_sessions = separate_sessions
    case.must_not_meet = must_not_meet
    case.save(update_fields=["separate_sessions", "must_not_meet"])
    return case


def _party(case: Case, role: str) -> Party:
    party = case.parties.filter(role=role).first()
    if party is None:
        raise ActionError("Choose parent A or parent B.", "not_found")
    return party


@transaction.atomic
def invite_parent(mediator: User, case: Case, role: str, email: str) -> tuple[Party, str]:
    """E-mail a parent a link to join the case with their own account (the address must match).

    Returns the party and the link's secret (shown to nobody; the demo and tests use it)."""
    _mediator(mediator, case)
    party = _party(case, role)
    if party.user_id is not None:
        raise ActionError(f"{party.name} has already joined the case.", "conflict")
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise ActionError("Give the parent's e-mail address.")
    other = case.parties.exclude(pk=party.pk).first()
    if other is not None and other.invited_email == email:
        raise ActionError("Both parents cannot be invited with the same address.")
    raw, hashed = new_token()
    party.invited_email, party.invite_token_hash, party.invited_at = email, hashed, timezone.now()
    party.save(update_fields=["invited_email", "invite_token_hash", "invited_at"])
    queue_email(
        "mediation/case-invitation",
        to=email,
        context={"mediator": mediator.name, "parent": party.name, "path": reverse("mediation:join", args=[raw])},
    )
    return party, raw


def invitation(token: str) -> Party:
    party = Party.objects.select_related("case", "user").filter(invite_token_hash=hash_token(token)).first()
    if party is None or not token:
        raise ActionError("This invitation link is not valid. Ask your mediator for a new one.", "not_found")
    return party


@transaction.atomic
def join_case(user: User, token: str) -> Party:
    """Claim an invitation. Only the invited address, once, and never a third person."""
    party = invitation(token)
    party = Party.objects.select_for_update().get(pk=party.pk)
    case = party.case
    if party.user_id is not None:
        if party.user_id == user.pk:
            return party
        raise ActionError("This invitation has already been used.", "conflict")
    if user.is_therapist:
        raise ActionError("A therapist account cannot join a case as a parent.", "forbidden")
    if case.parties.filter(user=user).exists() or case.mediator_id == user.pk:
        raise ActionError("You are already part of this case.", "conflict")
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    addresses = {user.email.lower()} | {e.lower() for e in verified}
    if party.invited_email.lower() not in addresses:
        raise ActionError(
            "This invitation was sent to another e-mail address. Log in with the account for that address.",
            "forbidden",
        )
    party.user, party.joined_at, party.invite_token_hash = user, timezone.now(), ""
    party.save(update_fields=["user", "joined_at", "invite_token_hash"])
    return party


@transaction.atomic
def link_session(mediator: User, case: Case, appointment_id: int) -> CaseSession:
    """Link one of the mediator's own appointments with a parent of this case."""
    _mediator(mediator, case)
    parents = {p.user_id for p in case.parties.all() if p.user_id}
    appointment = next((a for a in upcoming_for(mediator) if a.pk == appointment_id), None)
    if appointment is None or appointment.therapist_id != mediator.pk or appointment.client_id not in parents:
        raise ActionError("Choose an upcoming appointment of yours with one of this case's parents.", "not_found")
    session, _ = CaseSession.objects.get_or_create(case=case, appointment_id=appointment.pk)
    return session


def linkable_sessions(mediator: User, case: Case) -> list[Any]:
    parents = {p.user_id for p in case.parties.all() if p.user_id}
    linked = set(case.sessions.values_list("appointment_id", flat=True))
    return [a for a in upcoming_for(mediator) if a.client_id in parents and a.pk not in linked]


# --- versions ----------------------------------------------------------------------------


def draft(case: Case) -> PlanVersion:
    version = case.versions.order_by("-number").first()
    assert version is not None, "every case has a first version"
    return version


def _write_version(case: Case, author: User, document: dict[str, Any], summary: str) -> PlanVersion:
    number = (case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return PlanVersion.objects.create(
        case=case,
        number=number,
        document=document,
        sha256=plan_document.sha256(document),
        author=author,
        author_label=_label(author),
        summary=summary[:300],
    )


def _check_document(case: Case, document: Any) -> None:
    errors = plan_document.validate(document)
    if errors:
        raise ActionError("The plan was not saved: " + " ".join(errors))
    parents = [p.name for p in case.parties.all()]
    if document.get("parents") != parents:
        raise ActionError(f"The plan must name the parents as {parents[0]} and {parents[1]}, in that order.")


def _summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    sections = []
    for change in plan_document.diff(before, after):
        title = plan_document.section_title(change.section)
        if title not in sections:
            sections.append(title)
    return "Changed " + ", ".join(sections) + "." if sections else "No change."


@transaction.atomic
def save_document(
    mediator: User, case: Case, document: Any, *, based_on: int | None = None, summary: str = ""
) -> PlanVersion:
    """A new version with the whole document (the editor, an import, the API)."""
    _mediator(mediator, case)
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one writer at a time per case
    current = draft(case)
    if based_on is not None and based_on != current.number:
        raise ActionError(
            f"The draft has changed since you opened version {based_on}; version {current.number} is the draft now. "
            "Reload and make your change again.",
            "conflict",
        )
    _check_document(case, document)
    if plan_document.sha256(document) == current.sha256:
        return current
    return _write_version(case, mediator, document, summary or _summary(current.document, document))


def save_section(
    mediator: User, case: Case, section: str, value: dict[str, Any], *, based_on: int | None = None
) -> PlanVersion:
    if section not in plan_document.SECTION_BY_KEY:
        raise ActionError(f"There is no section {section!r}.", "not_found")
    document = plan_document.with_section(draft(case).document, section, value)
    return save_document(mediator, case, document, based_on=based_on)


def version(case: Case, number: int) -> PlanVersion:
    found = case.versions.filter(number=number).first()
    if found is None:
        raise ActionError(f"There is no version {number} of this plan.", "not_found")
    return found


# --- discussion ----------------------------------------------------------------------------


@transaction.atomic
def comment(
    user: User,
    case: Case,
    section: str,
    text: str,
    *,
    proposal: dict[str, Any] | None = None,
    to: str | None = None,
) -> Comment:
    """A comment on a section of the draft; with ``proposal`` (a section value) a proposed change.

    ``to`` ("A" or "B"): the mediator's comment for that parent only — how the mediator answers
    one parent in separate sessions without the other reading it."""
    role = _member(user, case)
    to_party = None
    if to:
        if not role.mediator:
            raise ActionError("Only the mediator addresses a comment to one parent.", "forbidden")
        if to not in (Party.Role.A, Party.Role.B):
            raise ActionError("Address the comment to parent A or parent B, or to both.")
        to_party = _party(case, to)
    if section not in plan_document.SECTION_BY_KEY:
        raise ActionError(f"There is no section {section!r}.", "not_found")
    text = text.strip()
    if not text:
        raise ActionError("Write what you would like to say.")
    if len(text) > 4000:
        raise ActionError("A comment has at most 4000 characters.")
    current = draft(case)
    if proposal is not None:
        if role.mediator:
            raise ActionError("The mediator changes the draft directly.", "forbidden")
        if not isinstance(proposal, dict):
            raise ActionError("A proposal is the section's fields.")
        proposed = plan_document.with_section(current.document, section, proposal)
        errors = plan_document.validate(proposed)
        if errors:
            raise ActionError("The proposal cannot be used: " + " ".join(errors))
        if plan_document.sha256(proposed) == current.sha256:
            raise ActionError("The proposal is the same as the draft.")
    return Comment.objects.create(
        case=case,
        version=current,
        section=section,
        author=user,
        text=text,
        proposal=proposal,
        to_party=to_party,
        status=Comment.Status.OPEN if proposal is not None else Comment.Status.COMMENT,
    )


@transaction.atomic
def decide_proposal(mediator: User, case: Case, comment_id: int, *, accept: bool, note: str = "") -> Comment:
    _mediator(mediator, case)
    proposal = Comment.objects.select_for_update().filter(case=case, pk=comment_id).first()
    if proposal is None:
        raise ActionError("There is no such proposal.", "not_found")
    if proposal.status != Comment.Status.OPEN:
        raise ActionError("This proposal has already been decided.", "conflict")
    if accept:
        assert proposal.proposal is not None
        document = plan_document.with_section(draft(case).document, proposal.section, proposal.proposal)
        title = plan_document.section_title(proposal.section)
        proposal.accepted_into = save_document(
            mediator, case, document, summary=f"Accepted {proposal.author.name}'s proposal on {title}."
        )
        proposal.status = Comment.Status.ACCEPTED
    else:
        proposal.status = Comment.Status.DECLINED
    proposal.decided_at, proposal.decision_note = timezone.now(), note.strip()[:500]
    proposal.save(update_fields=["status", "decided_at", "decision_note", "accepted_into"])
    return proposal


# --- agreement ------------------------------------------------------------------------------


@transaction.atomic
def agree(user: User, case: Case, number: int, *, typed_name: str, sha256: str = "") -> Agreement:
    """A parent agrees to exactly version ``number`` — it must still be the draft."""
    role = _member(user, case)
    if role.party is None:
        raise ActionError("Only a parent agrees to the plan.", "forbidden")
    Case.objects.select_for_update().filter(pk=case.pk).first()
    current = draft(case)
    if number != current.number:
        raise ActionError(
            f"Version {number} is not the current plan; version {current.number} is. Read it and agree to it instead.",
            "conflict",
        )
    if sha256 and sha256 != current.sha256:
        raise ActionError("The plan you read is not the current version. Reload and read it again.", "conflict")
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 3 or " " not in typed_name:
        raise ActionError("Type your full name (first and last name) to agree.")
    if current.agreements.filter(party=role.party).exists():
        raise ActionError("You have already agreed to this version.", "conflict")
    return Agreement.objects.create(
        version=current,
        party=role.party,
        user=user,
        typed_name=typed_name[:120],
        signed_on=timezone.localdate(),
        sha256=current.sha256,
    )


def is_agreed(version: PlanVersion) -> bool:
    return version.agreements.values("party").distinct().count() == 2


def agreed_version(case: Case) -> PlanVersion | None:
    """The newest version both parents agreed to: what the calendars and the signed PDF show."""
    for candidate in case.versions.order_by("-number").prefetch_related("agreements"):
        if len({a.party_id for a in candidate.agreements.all()}) == 2:
            return candidate
    return None


# --- private notes, contact details, calendar feeds -------------------------------------------


@transaction.atomic
def add_private_note(user: User, case: Case, text: str) -> PrivateNote:
    role = _member(user, case)
    if role.party is None:
        raise ActionError("Private notes are from a parent to the mediator.", "forbidden")
    text = text.strip()
    if not text or len(text) > 4000:
        raise ActionError("Write a note of at most 4000 characters.")
    return PrivateNote.objects.create(case=case, author=user, text=text)


@transaction.atomic
def edit_private_note(user: User, case: Case, note_id: int, text: str) -> PrivateNote:
    """Only the note's author changes it; to anyone else it does not exist."""
    _member(user, case)
    note = PrivateNote.objects.select_for_update().filter(case=case, pk=note_id, author=user).first()
    if note is None:
        raise ActionError("There is no such note.", "not_found")
    text = text.strip()
    if not text or len(text) > 4000:
        raise ActionError("Write a note of at most 4000 characters.")
    note.text = text
    note.save(update_fields=["text"])
    return note


@transaction.atomic
def set_contact(user: User, case: Case, *, details: str, share: bool) -> Party:
    role = _member(user, case)
    if role.party is None:
        raise ActionError("Only a parent gives contact details here.", "forbidden")
    if len(details) > 1000:
        raise ActionError("Contact details have at most 1000 characters.")
    party = role.party
    party.contact_details, party.share_contact = details.strip(), share
    party.save(update_fields=["contact_details", "share_contact"])
    return party


@transaction.atomic
def issue_feed(user: User, case: Case) -> str:
    """A new private feed address for this parent; any older one stops working."""
    role = _member(user, case)
    if role.party is None:
        raise ActionError("Calendar feeds are for the parents.", "forbidden")
    FeedToken.objects.filter(party=role.party, revoked_at__isnull=True).update(revoked_at=timezone.now())
    raw, hashed = new_token()
    FeedToken.objects.create(party=role.party, token_hash=hashed)
    return raw


@transaction.atomic
def revoke_feeds(user: User, case: Case) -> int:
    role = _member(user, case)
    if role.party is None:
        raise ActionError("Calendar feeds are for the parents.", "forbidden")
    return FeedToken.objects.filter(party=role.party, revoked_at__isnull=True).update(revoked_at=timezone.now())


def feed_party(token: str) -> Party | None:
    found = (
        FeedToken.objects.select_related("party__case", "party__user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if found is None or found.party.user is None or not found.party.user.is_active:
        return None
    return found.party
