"""What the measures app does: take, save, score, flag, assign, remind.

Views, the API and commands call these. Every function either completes or
raises ActionError having stored nothing half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from individuate.accounts.models import User
from individuate.boundaries import policy
from individuate.core.errors import ActionError
from individuate.core.mail import queue_email
from individuate.core.time import local_today, zone_of

from .instruments import Instrument
from .models import Assignment, Response, SafetyFlag, SafetyFlagSeen
from .registry import instruments
from .scoring import ScoringError, score, validate_answer
from .tasks import remind_assignment

STALE_DAYS = 14


def get_instrument(instrument_id: str) -> Instrument:
    instrument = instruments().get(instrument_id)
    if instrument is None:
        raise ActionError(f"There is no questionnaire {instrument_id!r}.", "not_found")
    return instrument


# Each side's own screener; the person's own comes first, the other side's last.
OWN_SCREENER: dict[str, str] = {
    User.Perspective.ADULT_CHILD: "enmeshment-child",
    User.Perspective.PARENT: "enmeshment-parent",
}


def instruments_for(user: User) -> list[Instrument]:
    """All questionnaires, in the order that suits this person: a parent sees the parent
    screener first (and the adult child's form last), an adult child the reverse."""
    own = OWN_SCREENER.get(user.perspective)
    others = set(OWN_SCREENER.values()) - {own} if own else set()
    return sorted(instruments().values(), key=lambda i: 0 if i.id == own else 2 if i.id in others else 1)


def get_own_response(owner: User, response_id: int, *, lock: bool = False) -> Response:
    qs = Response.objects.filter(owner=owner, pk=response_id)
    response = (qs.select_for_update() if lock else qs).first()
    if response is None:
        raise ActionError("Not found.", "not_found")
    return response


# ---------------------------------------------------------------- taking a measure


@transaction.atomic
def start_response(owner: User, instrument_id: str, layout: str | None = None) -> Response:
    """Start a sitting, or resume the unfinished one for this instrument."""
    if owner.is_therapist:
        raise ActionError("Questionnaires are for clients.", "forbidden")
    instrument = get_instrument(instrument_id)
    if layout is not None and layout not in Response.Layout.values:
        raise ActionError("Layout must be 'one' or 'all'.")
    existing = Response.objects.filter(
        owner=owner, instrument=instrument.id, status=Response.Status.IN_PROGRESS
    ).first()
    # A "last 2 weeks" questionnaire left unfinished for weeks is no longer about now.
    # One with a safety flag is closed, not deleted: the flag stays attached to its answers.
    stale = existing is not None and (
        existing.instrument_version != instrument.version
        or existing.updated_at < timezone.now() - timedelta(days=STALE_DAYS)
    )
    if existing is not None and stale:
        if existing.safety_flags.exists():
            existing.status = Response.Status.CLOSED
            existing.save(update_fields=["status", "updated_at"])
        else:
            existing.delete()
        existing = None
    if existing is not None:
        if layout and layout != existing.layout:
            existing.layout = layout
            existing.save(update_fields=["layout", "updated_at"])
        return existing
    if layout is None:
        last = Response.objects.filter(owner=owner).order_by("-started_at").first()
        layout = last.layout if last else Response.Layout.ONE
    assignment = next(
        (
            a
            for a in Assignment.objects.filter(client=owner, instrument=instrument.id, active=True)
            if assignment_still_consented(a)
        ),
        None,
    )
    try:
        with transaction.atomic():
            return Response.objects.create(
                owner=owner,
                instrument=instrument.id,
                instrument_version=instrument.version,
                layout=layout,
                assignment=assignment,
            )
    except IntegrityError:  # a concurrent start: resume the one that won
        return Response.objects.get(owner=owner, instrument=instrument.id, status=Response.Status.IN_PROGRESS)


@transaction.atomic
def save_answers(owner: User, response_id: int, answers: dict[str, Any]) -> tuple[Response, list[SafetyFlag]]:
    """Save some answers (all valid, or none). Returns flags raised by this save."""
    response = get_own_response(owner, response_id, lock=True)
    _require_open(response)
    instrument = get_instrument(response.instrument)
    clean: dict[str, int | None] = {}
    for item_id, value in answers.items():
        if value is None or value == "":
            if item_id not in {i.id for i in instrument.items}:
                raise ActionError(f"{instrument.title} has no item {item_id!r}.")
            clean[item_id] = None  # clearing an answer is allowed
            continue
        try:
            clean[item_id] = validate_answer(instrument, item_id, value)
        except ScoringError as exc:
            raise ActionError(str(exc)) from exc
    merged = dict(response.answers)
    for item_id, value in clean.items():
        if value is None:
            merged.pop(item_id, None)
        else:
            merged[item_id] = value
    response.answers = merged
    response.save(update_fields=["answers", "updated_at"])
    return response, _raise_flags(response, instrument)


def _require_open(response: Response) -> None:
    if response.status == Response.Status.COMPLETED:
        raise ActionError("This questionnaire was already submitted.", "conflict")
    if response.status == Response.Status.CLOSED:
        raise ActionError("This questionnaire was closed unfinished; please start a fresh one.", "conflict")


def _raise_flags(response: Response, instrument: Instrument) -> list[SafetyFlag]:
    """Raise new flags and follow existing ones; return those that are new or have risen.

    A flag keeps the first answer (``value``), the highest and the latest. A rise above
    the highest shows the support page again and tells the therapists again.
    """
    raised = []
    for flag in instrument.flags:
        value = response.answers.get(flag.item)
        safety = SafetyFlag.objects.filter(response=response, flag=flag.id).first()
        if safety is not None and value is not None and value != safety.latest_value:
            rose = value > safety.highest_value
            safety.latest_value = value
            if rose:
                safety.highest_value, safety.rose_at = value, timezone.now()
                # What a therapist saw was a lower answer: it is new to them again.
                safety.seen.all().delete()
            safety.save(update_fields=["latest_value", "highest_value", "rose_at"])
            if rose:
                raised.append(safety)
                _alert_therapists(response.owner)
            continue
        if safety is not None or value is None or value < flag.min_value:
            continue
        safety, created = SafetyFlag.objects.get_or_create(
            response=response,
            flag=flag.id,
            defaults={
                "owner": response.owner,
                "item": flag.item,
                "value": value,
                "highest_value": value,
                "latest_value": value,
            },
        )
        if created:
            raised.append(safety)
            _alert_therapists(response.owner)
    return raised


@transaction.atomic
def record_followup(owner: User, response_id: int, thinking_now: bool, plan_or_act: bool) -> SafetyFlag:
    """The person's answers to the short follow-up about right now, stored on the flag.

    A "yes" tells the therapists again (without detail), as a new flag does.
    """
    response = get_own_response(owner, response_id, lock=True)
    safety = response.safety_flags.order_by("-raised_at").first()
    if safety is None:
        raise ActionError("There is nothing to follow up on this questionnaire.", "not_found")
    was_urgent = safety.urgent
    safety.thinking_now, safety.plan_or_act, safety.followed_up_at = thinking_now, plan_or_act, timezone.now()
    safety.save(update_fields=["thinking_now", "plan_or_act", "followed_up_at"])
    if safety.urgent and not was_urgent:
        safety.seen.all().delete()
        _alert_therapists(owner)
    return safety


def _alert_therapists(client: User) -> None:
    """Tell every therapist who holds the measures grant that a client needs attention.

    The e-mail holds no clinical detail and no name: only that someone does, and a link.
    """
    for therapist in policy.therapists_with_scope(client, "measures"):
        queue_email(
            "measures/client-needs-attention",
            to=therapist,
            about=client,
            context={"dashboard_path": reverse("portal:dashboard")},
        )


def missing_items(response: Response) -> list[int]:
    instrument = get_instrument(response.instrument)
    return [i.number for i in instrument.items if i.required and i.id not in response.answers]


@transaction.atomic
def submit_response(owner: User, response_id: int) -> Response:
    response = get_own_response(owner, response_id, lock=True)
    _require_open(response)
    instrument = get_instrument(response.instrument)
    try:
        result = score(instrument, response.answers)
    except ScoringError as exc:
        raise ActionError(str(exc)) from exc
    _raise_flags(response, instrument)
    # A flag raised earlier in this sitting stays, even if the answer was changed since.
    stored = set(response.safety_flags.values_list("flag", flat=True))
    response.total, response.band = result.total, result.band
    response.subscales, response.flags = result.subscales, sorted(set(result.flags) | stored)
    response.status, response.completed_at = Response.Status.COMPLETED, timezone.now()
    response.save()
    _advance_assignments(owner, instrument.id)
    return response


def completed_responses(owner: User, instrument_id: str | None = None) -> QuerySet[Response]:
    qs = Response.objects.filter(owner=owner, status=Response.Status.COMPLETED).order_by("completed_at", "id")
    return qs.filter(instrument=instrument_id) if instrument_id else qs


def latest_results_by_client(client_ids: list[int], per_client: int = 3) -> dict[int, list[Response]]:
    """The latest completed result per questionnaire for many clients, in one query
    (call only with the clients the policy allowed)."""
    latest: dict[int, dict[str, Response]] = {}
    rows = Response.objects.filter(owner_id__in=client_ids, status=Response.Status.COMPLETED).order_by(
        "completed_at", "id"
    )
    for response in rows:
        latest.setdefault(response.owner_id, {})[response.instrument] = response
    return {cid: list(by_instrument.values())[-per_client:] for cid, by_instrument in latest.items()}


def open_responses(owner: User) -> QuerySet[Response]:
    return Response.objects.filter(owner=owner, status=Response.Status.IN_PROGRESS)


# ---------------------------------------------------------------- assignments


def _schedule_reminder(assignment: Assignment) -> None:
    """Remind now if it is due today (or overdue), else at 09:00 on the due day in the
    client's own time zone."""
    client = assignment.client
    zone = zone_of(client)
    at = datetime.combine(assignment.due_on, time(9, 0), tzinfo=zone)
    due = assignment.due_on.isoformat()
    if assignment.due_on <= local_today(client):
        remind_assignment.enqueue(assignment.pk, due)
    elif default_task_backend.supports_defer:
        remind_assignment.using(run_after=at).enqueue(assignment.pk, due)


def _advance_assignments(owner: User, instrument_id: str) -> None:
    today = local_today(owner)
    for assignment in Assignment.objects.select_for_update().filter(
        client=owner, instrument=instrument_id, active=True, due_on__lte=today + timedelta(days=3)
    ):
        following = assignment.next_due_after(max(today, assignment.due_on))
        if following is None:
            assignment.active, assignment.ended_at = False, timezone.now()
            assignment.save(update_fields=["active", "ended_at"])
        else:
            assignment.due_on = following
            assignment.save(update_fields=["due_on"])
            _schedule_reminder(assignment)


def client_for_measures(therapist: User, client_id: int, *, via: str = "page", path: str = "") -> User:
    """The client whose measures THERAPIST may read (policy-checked and logged)."""
    return policy.require_owner(therapist, client_id, "measures", via=via, path=path)


@transaction.atomic
def assign(
    therapist: User,
    client_id: int,
    instrument_id: str,
    recurrence: str,
    starts_on: date,
    *,
    via: str = "page",
    path: str = "",
) -> Assignment:
    client = client_for_measures(therapist, client_id, via=via, path=path)
    instrument = get_instrument(instrument_id)
    if recurrence not in Assignment.Recurrence.values:
        raise ActionError("Recurrence must be once, weekly, biweekly or monthly.")
    if starts_on < local_today(client) - timedelta(days=1):
        raise ActionError("The first due date cannot be in the past.")
    if starts_on > local_today(client) + timedelta(days=365):
        raise ActionError("The first due date must be within a year.")
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                therapist=therapist,
                client=client,
                instrument=instrument.id,
                recurrence=recurrence,
                due_on=starts_on,
            )
    except IntegrityError as exc:
        raise ActionError(f"{instrument.title} is already assigned to this client.", "conflict") from exc
    _schedule_reminder(assignment)
    return assignment


@transaction.atomic
def end_assignment(therapist: User, assignment_id: int, *, via: str = "page", path: str = "") -> None:
    assignment = Assignment.objects.filter(pk=assignment_id, therapist=therapist).select_related("client").first()
    if assignment is None:
        raise ActionError("Not found.", "not_found")
    policy.require(therapist, assignment.client, "measures", via=via, path=path)
    if assignment.active:
        assignment.active, assignment.ended_at = False, timezone.now()
        assignment.save(update_fields=["active", "ended_at"])


def assignment_still_consented(assignment: Assignment) -> bool:
    return policy.decide(assignment.therapist, assignment.client, "measures").allowed


def due_assignments(client: User) -> list[Assignment]:
    today = local_today(client)
    due = Assignment.objects.filter(client=client, active=True, due_on__lte=today).select_related("therapist")
    return [a for a in due.order_by("due_on") if assignment_still_consented(a)]


def end_assignments_for(client: User, therapist: User) -> int:
    """Consent withdrawn: the therapist's assignments for this client stop at once."""
    return Assignment.objects.filter(client=client, therapist=therapist, active=True).update(
        active=False, ended_at=timezone.now()
    )


def assignments_given(therapist: User, client: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(client=client, therapist=therapist, active=True).order_by("due_on")


def upcoming_assignments(client: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(client=client, active=True).order_by("due_on")


# ---------------------------------------------------------------- therapist side


@dataclass(frozen=True)
class FlagDetail:
    """A safety flag in words: which questionnaire, which question, which answer, when."""

    flag: SafetyFlag
    questionnaire: str
    question: str
    answer: str
    raised_at: datetime


def flag_detail(flag: SafetyFlag) -> FlagDetail:
    instrument = instruments().get(flag.response.instrument)
    questionnaire = instrument.name if instrument else "A questionnaire no longer offered here"
    question, answer = "", str(flag.value)
    if instrument is not None:
        try:
            item = instrument.item(flag.item)
        except KeyError:
            item = None
        if item is not None:
            question = item.text
            answer = next((o.label for o in item.options if o.value == flag.value), answer)
    return FlagDetail(flag, questionnaire, question, answer, flag.raised_at)


def flags_for_therapist(therapist: User, client: User) -> list[tuple[SafetyFlag, bool]]:
    """The client's flags, each with whether *this* therapist has seen it (new first)."""
    seen = set(SafetyFlagSeen.objects.filter(therapist=therapist, flag__owner=client).values_list("flag_id", flat=True))
    flags = SafetyFlag.objects.filter(owner=client).select_related("response").order_by("-raised_at")
    rows = [(flag, flag.pk in seen) for flag in flags]
    return sorted(rows, key=lambda row: row[1])


@transaction.atomic
def mark_flag_seen(
    therapist: User, flag_id: int, *, client_id: int | None = None, via: str = "page", path: str = ""
) -> SafetyFlag:
    flag = SafetyFlag.objects.filter(pk=flag_id).select_related("owner").first()
    if flag is None or (client_id is not None and flag.owner_id != client_id):
        raise ActionError("Not found.", "not_found")
    policy.require(therapist, flag.owner, "measures", via=via, path=path)
    SafetyFlagSeen.objects.get_or_create(flag=flag, therapist=therapist)
    return flag


def clients_needing_attention(therapist: User) -> set[int]:
    """Ids of this therapist's clients with safety flags this therapist has not seen.

    Whether a client has a flag is measures data: each candidate goes through the
    boundaries policy (grant, two-factor), which also writes the read to their log.
    """
    from individuate.accounts.models import User as UserModel

    flagged = set(
        SafetyFlag.objects.filter(owner_id__in=policy.connected_client_ids(therapist))
        .exclude(seen__therapist=therapist)
        .values_list("owner_id", flat=True)
    )
    if not flagged:
        return set()
    clients = list(UserModel.objects.filter(pk__in=flagged))
    decisions = policy.check_many(therapist, clients, "measures", via="page", path="safety-flags")
    return {pk for pk, decision in decisions.items() if decision.allowed}


@transaction.atomic
def import_completed(
    owner: User,
    instrument_id: str,
    answers: dict[str, Any],
    completed_at: datetime,
    *,
    seen_by: User | None = None,
) -> Response:
    """Store an already-completed sitting (imports from paper forms, demo data).

    A safety answer raises a flag and alerts the client's therapists like any other,
    unless ``seen_by`` names the therapist who already followed it up.
    """
    instrument = get_instrument(instrument_id)
    if completed_at > timezone.now():
        raise ActionError("A completed sitting cannot be dated in the future.")
    try:
        answers = {k: validate_answer(instrument, k, v) for k, v in answers.items()}
        result = score(instrument, answers)
    except ScoringError as exc:
        raise ActionError(str(exc)) from exc
    response = Response.objects.create(
        owner=owner,
        instrument=instrument.id,
        instrument_version=instrument.version,
        status=Response.Status.COMPLETED,
        answers=answers,
        started_at=completed_at - timedelta(minutes=instrument.minutes),
        completed_at=completed_at,
        total=result.total,
        band=result.band,
        subscales=result.subscales,
        flags=result.flags,
    )
    for flag in instrument.flags:
        value = answers.get(flag.item)
        if value is not None and value >= flag.min_value:
            safety = SafetyFlag.objects.create(
                owner=owner,
                response=response,
                flag=flag.id,
                item=flag.item,
                value=value,
                highest_value=value,
                latest_value=value,
                raised_at=completed_at,
            )
            if seen_by is not None:
                SafetyFlagSeen.objects.create(flag=safety, therapist=seen_by, at=completed_at)
            else:
                _alert_therapists(owner)
    return response
