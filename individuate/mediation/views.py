"""Mediation pages: views parse the request, call ``actions`` or ``access``, and render."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from individuate.boundaries.policy import therapist_may_see_clients
from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest, attempt, form_errors

from . import access, actions, forms, overview, pdf, plan_document, schedule
from .calendar_feed import custody_calendar
from .models import Comment, Party, PlanVersion

VIA = "page"


def _open(request: AuthedRequest, case_id: int, kind: str = access.PLAN) -> access.Role:
    return access.open_case(request.user, case_id, kind, via=VIA, path=request.path)


def _year(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2098 else default


def _version(request: HttpRequest, role: access.Role, fallback: PlanVersion | None = None) -> PlanVersion:
    raw = request.GET.get("version")
    if raw:
        try:
            return actions.version(role.case, int(raw))
        except (ValueError, ActionError) as error:
            raise Http404("There is no such version.") from error
    return fallback or actions.draft(role.case)


@login_required
def cases(request: AuthedRequest) -> HttpResponse:
    rows = [(case, access.role_of(request.user, case)) for case in access.cases_of(request.user)]
    return render(
        request,
        "mediation/cases.html",
        {"rows": rows, "may_open": therapist_may_see_clients(request.user), "is_therapist": request.user.is_therapist},
    )


@login_required
def case_new(request: AuthedRequest) -> HttpResponse:
    if not therapist_may_see_clients(request.user):
        messages.error(request, access.MFA_MESSAGE if request.user.is_therapist else "Only a mediator opens a case.")
        return redirect("mediation:cases")
    form = forms.CaseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            case = attempt(
                request,
                lambda: actions.open_case(
                    request.user,
                    title=data["title"],
                    parent_a=data["parent_a"],
                    parent_b=data["parent_b"],
                    children=form.children(),
                    starts=data["starts"],
                    separate_sessions=data["separate_sessions"],
                    must_not_meet=data["must_not_meet"],
                ),
                "The case is open with a first draft. Invite the parents, then shape the plan section by section.",
            )
            if case is not None:
                return redirect("mediation:case", case.pk)
        else:
            form_errors(request, form)
    return render(request, "mediation/case_new.html", {"form": form})


def _contacts(request: AuthedRequest, role: access.Role) -> list[tuple[Party, str | None]]:
    shown: list[tuple[Party, str | None]] = []
    for party in role.case.parties.all():
        decision = access.decide(request.user, role.case, access.CONTACT, party=party)
        if decision.allowed and party.contact_details:
            access.check(request.user, role.case, access.CONTACT, via=VIA, path=request.path, party=party)
            shown.append((party, party.contact_details))
        else:
            shown.append((party, None))
    return shown


@login_required
def case(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    the_case = role.case
    current = actions.draft(the_case)
    year = _year(request, overview.first_year(schedule.parse(current.document).starts))
    view = overview.build(current.document, year)
    comments = list(access.visible_comments(request.user, role))
    access.log_comment_reads(request.user, role, comments, via=VIA, path=request.path)
    by_section: dict[str, list[Comment]] = {}
    for item in comments:
        by_section.setdefault(item.section, []).append(item)
    notes = list(access.visible_notes(request.user, role))
    for note in notes:
        access.check(request.user, the_case, access.NOTE, via=VIA, path=request.path, owner=note.author)
    agreements = list(current.agreements.select_related("party"))
    mine = next((a for a in agreements if role.party and a.party_id == role.party.pk), None)
    sessions = []
    for link in the_case.sessions.select_related("appointment"):
        appointment = link.appointment
        if role.mediator or not the_case.separate_sessions or appointment.client_id == request.user.pk:
            sessions.append(appointment)
    context = {
        "role": role,
        "case": the_case,
        "draft": current,
        "view": view,
        "year": year,
        "sections": [
            (s, by_section.get(s.key, []), plan_document.section_value(current.document, s.key))
            for s in view["sections"]
        ],
        "open_proposals": [c for c in comments if c.status == Comment.Status.OPEN],
        "agreements": agreements,
        "my_agreement": mine,
        "agreed": actions.agreed_version(the_case),
        "contacts": _contacts(request, role),
        "notes": notes,
        "sessions": sessions,
        "linkable": actions.linkable_sessions(request.user, the_case) if role.mediator else [],
        "children": the_case.children.all(),
        "agree_form": forms.AgreeForm(initial={"version": current.number, "sha256": current.sha256}),
        "new_feed": request.session.pop(f"mediation-feed-{the_case.pk}", None),
        "feed_active": role.party is not None and role.party.feed_tokens.filter(revoked_at__isnull=True).exists(),
    }
    return render(request, "mediation/case.html", context)


# --- mediator: invite, settings, sessions, import ----------------------------------------------


def _submit(
    request: AuthedRequest,
    case_id: int,
    form_class: type[Form],
    act: Callable[[access.Role, dict[str, Any]], object],
    success: Callable[[dict[str, Any]], str],
    anchor: str = "",
    *,
    say_errors: bool = True,
) -> HttpResponse:
    """One POSTed form on the case page: validate, run the action, say how it went, go back."""
    role = _open(request, case_id)
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(request, lambda: act(role, data), success(data))
    elif say_errors:
        form_errors(request, form)
    return redirect(reverse("mediation:case", args=[case_id]) + anchor)


@login_required
@require_POST
def invite(request: AuthedRequest, case_id: int) -> HttpResponse:
    return _submit(
        request,
        case_id,
        forms.InviteForm,
        lambda role, data: actions.invite_parent(request.user, role.case, data["role"], data["email"]),
        lambda _: "Invitation sent. The parent joins with an account for that address.",
    )


@login_required
@require_POST
def case_settings(request: AuthedRequest, case_id: int) -> HttpResponse:
    return _submit(
        request,
        case_id,
        forms.CaseSettingsForm,
        lambda role, data: actions.update_case(request.user, role.case, **data),
        lambda _: "Case settings saved.",
        say_errors=False,
    )


@login_required
@require_POST
def link_session(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    try:
        appointment_id = int(request.POST.get("appointment", ""))
    except ValueError:
        messages.error(request, "Choose an appointment.")
        return redirect("mediation:case", case_id)
    attempt(
        request, lambda: actions.link_session(request.user, role.case, appointment_id), "Session linked to the case."
    )
    return redirect("mediation:case", case_id)


@login_required
def import_plan(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            document = json.loads(upload.read(200_000).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            messages.error(request, f"The file is not a JSON document ({error}). Nothing was changed.")
        else:
            saved = attempt(
                request,
                lambda: actions.save_document(request.user, role.case, document, summary="Imported a plan document."),
                "Imported as a new version of the draft.",
            )
            if saved is not None:
                return redirect("mediation:case", case_id)
    elif request.method == "POST":
        form_errors(request, form)
    return render(request, "mediation/import.html", {"case": role.case, "form": form})


# --- sections: edit (mediator) and propose (parents), with live figures ------------------------


def _section(key: str) -> plan_document.Section:
    section = plan_document.SECTION_BY_KEY.get(key)
    if section is None:
        raise Http404("There is no such section.")
    return section


def _forms(
    section: plan_document.Section, document: dict[str, Any], data: Any = None, *, value: dict[str, Any] | None = None
) -> dict[str, Any]:
    parents = list(document["parents"])
    value = plan_document.section_value(document, section.key) if value is None else value
    built: dict[str, Any] = {
        "form": forms.SectionForm(section, parents, value, data, children=document.get("children", []))
    }
    kwargs: dict[str, Any] = {"form_kwargs": {"parents": parents}}
    if section.key == "holidays":
        initial = [forms.HolidayRow.initial_of(r) for r in value.get("holidays", [])]
        built["rows"] = forms.HolidayRows(data, prefix="h", initial=None if data else initial, **kwargs)
    if section.key == "vacations":
        built["rows"] = forms.BlockRows(
            data,
            prefix="v",
            initial=None if data else [forms.BlockRow.initial_of(b) for b in value.get("vacations", [])],
            **kwargs,
        )
        built["extra_rows"] = forms.BlockRows(
            data,
            prefix="o",
            initial=None if data else [forms.BlockRow.initial_of(b) for b in value.get("one_time", [])],
            **kwargs,
        )
    return built


def _kept(formset: Any, make: str) -> list[dict[str, Any]]:
    return [
        getattr(f, make)()
        for f in formset.forms
        if f.has_changed() and f.is_valid() and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _value(built: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    errors: list[str] = []
    valid = built["form"].is_valid()
    for name in ("rows", "extra_rows"):
        formset = built.get(name)
        if formset is not None and not formset.is_valid():
            valid = False
            for i, row_errors in enumerate(formset.errors):
                for field, problems in row_errors.items():
                    errors += [f"Row {i + 1}, {field}: {p}" for p in problems]
    if not built["form"].is_valid():
        errors += [
            f"{built['form'].fields[f].label if f in built['form'].fields else ''}: {e}"
            for f, es in built["form"].errors.items()
            for e in es
        ]
    if not valid:
        return None, errors
    make = "rule" if built["form"].section.key == "holidays" else "block"
    rows = _kept(built["rows"], make) if "rows" in built else None
    extra = _kept(built["extra_rows"], "block") if "extra_rows" in built else None
    return built["form"].section_value(rows, extra), []


def _live(document: dict[str, Any], year: int, before: dict[str, Any] | None = None) -> dict[str, Any]:
    errors = plan_document.validate(document)
    if errors:
        return {"errors": errors}
    view = overview.build(document, year)
    differs: set[date] = set()
    if before is not None and not plan_document.validate(before):
        result = schedule.compare(schedule.parse(before), view["schedule"], date(year, 1, 1), date(year + 1, 1, 1))
        differs = {d.date for d in result.differences}
    return {"view": view, "differs": differs}


def _based_on(request: HttpRequest) -> int | None:
    raw = request.POST.get("based_on", "")
    return int(raw) if raw.isdigit() else None


@login_required
def section_edit(request: AuthedRequest, case_id: int, key: str) -> HttpResponse:
    role = _open(request, case_id)
    section = _section(key)
    current = actions.draft(role.case)
    year = _year(request, overview.first_year(schedule.parse(current.document).starts))
    built = _forms(section, current.document, request.POST or None)
    live: dict[str, Any] = _live(current.document, year)
    if request.method == "POST":
        value, errors = _value(built)
        if value is None:
            for error in errors:
                messages.error(request, error)
        elif role.mediator:
            saved = attempt(
                request,
                lambda: actions.save_section(request.user, role.case, key, value, based_on=_based_on(request)),
                f"Saved “{section.title}” as a new version of the draft.",
            )
            if saved is not None:
                return redirect(reverse("mediation:case", args=[case_id]) + f"#section-{key}")
        else:
            text = request.POST.get("comment", "")
            made = attempt(
                request,
                lambda: actions.comment(request.user, role.case, key, text, proposal=value),
                "Your proposal is with the mediator, who will accept it into the draft or not.",
            )
            if made is not None:
                return redirect(reverse("mediation:case", args=[case_id]) + f"#section-{key}")
        if value is not None:
            live = _live(plan_document.with_section(current.document, key, value), year, current.document)
    return render(
        request,
        "mediation/section_edit.html",
        {
            "role": role,
            "case": role.case,
            "section": section,
            "draft": current,
            "year": year,
            **built,
            **live,
            "schedule_section": bool(section.owns),
        },
    )


@login_required
@require_POST
def section_preview(request: AuthedRequest, case_id: int, key: str) -> HttpResponse:
    """The figures and calendar of the draft with this section as typed so far (htmx)."""
    role = _open(request, case_id)
    section = _section(key)
    current = actions.draft(role.case)
    year = _year(request, overview.first_year(schedule.parse(current.document).starts))
    value, errors = _value(_forms(section, current.document, request.POST, value={}))
    if value is None:
        return render(request, "mediation/_live.html", {"errors": errors, "year": year})
    live = _live(plan_document.with_section(current.document, key, value), year, current.document)
    return render(request, "mediation/_live.html", {**live, "year": year, "preview": True})


# --- discussion, agreement, notes, contact -----------------------------------------------------


@login_required
@require_POST
def comment(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: actions.comment(request.user, role.case, data["section"], data["text"], to=data["to"] or None),
            "Comment added.",
        )
        return redirect(reverse("mediation:case", args=[case_id]) + f"#section-{data['section']}")
    form_errors(request, form)
    return redirect("mediation:case", case_id)


@login_required
@require_POST
def decide(request: AuthedRequest, case_id: int, comment_id: int) -> HttpResponse:
    return _submit(
        request,
        case_id,
        forms.DecisionForm,
        lambda role, data: actions.decide_proposal(
            request.user, role.case, comment_id, accept=data["accept"], note=data["note"]
        ),
        lambda data: "Accepted into the draft as a new version." if data["accept"] else "Proposal declined.",
        say_errors=False,
    )


@login_required
@require_POST
def agree(request: AuthedRequest, case_id: int) -> HttpResponse:
    return _submit(
        request,
        case_id,
        forms.AgreeForm,
        lambda role, data: actions.agree(
            request.user, role.case, data["version"], typed_name=data["typed_name"], sha256=data["sha256"]
        ),
        lambda data: f"You agreed to version {data['version']}.",
        "#agreement",
    )


@login_required
@require_POST
def add_note(request: AuthedRequest, case_id: int) -> HttpResponse:
    return _submit(
        request,
        case_id,
        forms.NoteForm,
        lambda role, data: actions.add_private_note(request.user, role.case, data["text"]),
        lambda _: "Your note is with the mediator only.",
        "#private",
    )


@login_required
@require_POST
def contact(request: AuthedRequest, case_id: int) -> HttpResponse:
    return _submit(
        request,
        case_id,
        forms.ContactForm,
        lambda role, data: actions.set_contact(request.user, role.case, details=data["details"], share=data["share"]),
        lambda _: "Contact details saved.",
        "#private",
        say_errors=False,
    )


# --- versions, comparison --------------------------------------------------------------------


@login_required
def versions(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    rows = list(role.case.versions.prefetch_related("agreements__party").order_by("-number"))
    return render(request, "mediation/versions.html", {"role": role, "case": role.case, "rows": rows})


def _int(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET[name])
    except (KeyError, ValueError):
        return None


@login_required
def compare(request: AuthedRequest, case_id: int) -> HttpResponse:
    """Two versions, or a proposal against the draft: changed lines, figures, differing nights."""
    role = _open(request, case_id)
    current = actions.draft(role.case)
    proposal_id = _int(request, "proposal")
    if proposal_id is not None:
        proposals = Comment.objects.filter(case=role.case).exclude(proposal=None).select_related("author")
        proposal = proposals.filter(pk=proposal_id).first()
        if proposal is None:
            raise Http404("There is no such proposal.")
        # In separate-sessions mode the other parent's proposal does not exist for a parent (logged as denied).
        decision = access.check(
            request.user, role.case, access.DISCUSSION, via=VIA, path=request.path, owner=proposal.author
        )
        if not decision.allowed:
            raise Http404("There is no such proposal.")
        before_n, after_n = current.number, 0
        before_doc, before_label = current.document, f"the draft (version {current.number})"
        after_doc = plan_document.with_section(current.document, proposal.section, proposal.proposal or {})
        after_label = f"{proposal.author.name}'s proposal"
    else:
        after_n = _int(request, "after") or current.number
        before_n = _int(request, "before") or max(1, after_n - 1)
        try:
            before_v, after_v = actions.version(role.case, before_n), actions.version(role.case, after_n)
        except ActionError as error:
            raise Http404(error.message) from error
        before_doc, before_label = before_v.document, f"version {before_n}"
        after_doc, after_label = after_v.document, f"version {after_n}"
    year = _year(request, overview.first_year(schedule.parse(after_doc).starts))
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    result = schedule.compare(schedule.parse(before_doc), schedule.parse(after_doc), start, end)
    view = overview.build(after_doc, year)
    return render(
        request,
        "mediation/compare.html",
        {
            "role": role,
            "case": role.case,
            "year": year,
            "view": view,
            "result": result,
            "differs": {d.date for d in result.differences},
            "changes": [
                (plan_document.section_title(c.section), c.describe())
                for c in plan_document.diff(before_doc, after_doc)
            ],
            "before_label": before_label,
            "after_label": after_label,
            "rows": [
                (
                    p,
                    result.before.overnights[p],
                    result.after.overnights[p],
                    result.overnights_change[p],
                    result.before.percent[p],
                    result.after.percent[p],
                    result.percent_change[p],
                )
                for p in view["parents"]
            ],
            "versions": role.case.versions.order_by("number"),
            "before_n": before_n,
            "after_n": after_n,
        },
    )


# --- documents: PDF, JSON, audit CSV, calendars ----------------------------------------------


def _signatures(version: PlanVersion) -> list[pdf.Signature]:
    return [
        pdf.Signature(a.party.name, a.typed_name, a.signed_on, "agreed through their own Individuate account", a.sha256)
        for a in version.agreements.select_related("party")
    ]


@login_required
def plan_pdf(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    version = _version(request, role, actions.agreed_version(role.case))
    shared = {p.name: p.contact_details for p in role.case.parties.all() if p.share_contact and p.contact_details}
    body = pdf.render_pdf(
        version.document,
        year=_year(request, overview.first_year(schedule.parse(version.document).starts)),
        case_label=f"{role.case.title}, version {version.number}",
        mediator=role.case.mediator.name if role.case.mediator else "",
        signatures=_signatures(version),
        shared_contacts=shared,
        must_not_meet=role.case.must_not_meet,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="parenting-plan-{role.case.pk}-v{version.number}.pdf"'
    return response


@login_required
def plan_json(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    version = _version(request, role)
    response = HttpResponse(json.dumps(version.document, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="parenting-plan-{role.case.pk}-v{version.number}.json"'
    return response


@login_required
def audit(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    version = _version(request, role)
    sched = schedule.parse(version.document)
    year = _year(request, overview.first_year(sched.starts))
    response = HttpResponse(schedule.audit_csv(sched, date(year, 1, 1), date(year + 1, 1, 1)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="nights-{year}-v{version.number}.csv"'
    return response


def _calendar(party: Party, case_pk: int) -> bytes:
    agreed = actions.agreed_version(party.case)
    version = agreed or actions.draft(party.case)
    sched = schedule.parse(version.document)
    today = timezone.localdate()
    names = " and ".join(c.first_name for c in party.case.children.all()) or "The children"
    draft_note = "" if agreed else " (draft, not yet agreed)"
    return custody_calendar(
        sched,
        party.name,
        date(today.year - 1, 1, 1),
        date(today.year + 2, 1, 1),
        feed_id=f"case-{case_pk}",
        children=names,
        name=f"{names} — parenting time{draft_note}",
        stamp=version.created_at,
    )


@login_required
def calendar_file(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    party = role.party
    if party is None:  # the mediator picks a parent
        party = role.case.parties.filter(role=request.GET.get("parent", "A")).first()
        if party is None:
            raise Http404("No such parent.")
    response = HttpResponse(_calendar(party, role.case.pk), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parenting-time-{party.role}.ics"'
    return response


@login_required
@require_POST
def feed_issue(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    raw = attempt(
        request,
        lambda: actions.issue_feed(request.user, role.case),
        "A new private calendar address is ready; any older one has stopped working.",
    )
    if raw is not None:
        request.session[f"mediation-feed-{role.case.pk}"] = request.build_absolute_uri(
            reverse("mediation:feed", args=[raw])
        )
    return redirect(reverse("mediation:case", args=[case_id]) + "#calendar")


@login_required
@require_POST
def feed_revoke(request: AuthedRequest, case_id: int) -> HttpResponse:
    role = _open(request, case_id)
    attempt(
        request, lambda: actions.revoke_feeds(request.user, role.case), "Your calendar address has stopped working."
    )
    return redirect(reverse("mediation:case", args=[case_id]) + "#calendar")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed a calendar app polls; the address itself is the secret."""
    party = actions.feed_party(token)
    if party is None:
        raise Http404("This calendar address is not valid (it may have been replaced).")
    return HttpResponse(_calendar(party, party.case_id), content_type="text/calendar; charset=utf-8")


# --- joining ------------------------------------------------------------------------------


@login_required
def join(request: AuthedRequest, token: str) -> HttpResponse:
    try:
        party = actions.invitation(token)
    except ActionError as error:
        return render(request, "mediation/join.html", {"error": error.message}, status=404)
    if request.method == "POST":
        joined = attempt(
            request, lambda: actions.join_case(request.user, token), "Welcome. You are part of the case now."
        )
        if joined is not None:
            return redirect("mediation:case", joined.case_id)
        return render(
            request, "mediation/join.html", {"error": "You could not join this case.", "party": party}, status=403
        )
    mediator = party.case.mediator.name if party.case.mediator else "Your mediator"
    return render(request, "mediation/join.html", {"party": party, "mediator": mediator})
