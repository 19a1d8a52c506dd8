from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from individuate.boundaries import policy
from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest, attempt, confirm_first, form_errors, person_required
from individuate.core.time import local_today

from . import actions, charts, coupling
from .forms import CheckInForm, ContactForm, JournalForm, ReminderForm
from .models import UNDO_MINUTES, CheckIn, ContactEvent, CouplingReport, ReminderSetting


def _others(request: AuthedRequest) -> list[Any]:
    return list(request.user.others.all())


@person_required
def checkin(request: AuthedRequest, checkin_id: int | None = None) -> HttpResponse:
    others = _others(request)
    existing: CheckIn | None = None
    initial: dict[str, Any] = {}
    if checkin_id is not None:
        try:
            existing = actions.get_own_checkin(request.user, checkin_id)
        except ActionError as exc:
            raise Http404(exc.message) from exc
        initial = {k: getattr(existing, k) for k in ("mood", "guilt", "anger", "anxiety", "note")}
        initial |= {f"perceived_{p.other_id}": p.value for p in existing.perceived.all()}
    form = CheckInForm(request.POST or None, others=others, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_checkin(
                    request.user,
                    mood=data["mood"],
                    guilt=data["guilt"],
                    anger=data["anger"],
                    anxiety=data["anxiety"],
                    note=data["note"],
                    perceived=form.perceived(),
                    checkin_id=checkin_id,
                )
            except ActionError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Saved. Thank you for checking in.")
                return redirect("checkins:checkin")
        else:
            form_errors(request, form)
    return render(
        request,
        "checkins/checkin.html",
        {
            "form": form,
            "perceived_fields": [form[f"perceived_{o.pk}"] for o in others],
            "existing": existing,
            "today": actions.todays_checkins(request.user),
            "others": others,
        },
    )


@person_required
def contacts(request: AuthedRequest) -> HttpResponse:
    others = _others(request)
    form = ContactForm(request.POST or None, others=others)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.add_contact(
                    request.user,
                    other_id=data["other"],
                    kind=data["kind"],
                    response=data["response"],
                    guilt_after=data["guilt_after"],
                    note=data["note"],
                )
            except ActionError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Contact logged.")
                return redirect("checkins:contacts")
        else:
            form_errors(request, form)
    actions.purge_deleted(request.user)
    recent = ContactEvent.objects.filter(owner=request.user).select_related("other")[:10]
    return render(
        request,
        "checkins/contacts.html",
        {
            "form": form,
            "recent": recent,
            "others": others,
            "deleted": actions.recently_deleted(request.user)["contacts"],
            "undo_minutes": UNDO_MINUTES,
        },
    )


@person_required
@require_POST
def contact_delete(request: AuthedRequest, contact_id: int) -> HttpResponse:
    try:
        contact = actions.get_own_contact(request.user, contact_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    asked = confirm_first(
        request,
        title="Delete this contact?",
        consequences=[
            f"Delete the {contact.get_kind_display().lower()} with {contact.other.name} on "
            f"{contact.local_date:%d %b %Y} ({contact.get_response_display().lower()}) from your log, "
            "your history and your progress."
        ],
        action="Delete the contact",
        cancel_url=reverse("checkins:contacts"),
        undo=f"You can undo this for {UNDO_MINUTES} minutes.",
    )
    if asked is not None:
        return asked
    attempt(
        request,
        lambda: actions.delete_contact(request.user, contact_id),
        f"Deleted. You can undo it below for {UNDO_MINUTES} minutes.",
    )
    return redirect("checkins:contacts")


@person_required
@require_POST
def contact_undo(request: AuthedRequest, contact_id: int) -> HttpResponse:
    attempt(request, lambda: actions.undo_delete_contact(request.user, contact_id), "Undone: the contact is back.")
    return redirect("checkins:contacts")


@person_required
def journal(request: AuthedRequest, entry_id: int | None = None) -> HttpResponse:
    entry = None
    if entry_id is not None:
        entry = actions.search_journal(request.user).filter(pk=entry_id).first()
        if entry is None:
            raise Http404("Not found.")
    initial = {
        "date": entry.date if entry else local_today(request.user),
        "text": entry.text if entry else "",
    }
    form = JournalForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            saved = attempt(
                request,
                lambda: actions.save_journal(request.user, text=data["text"], on=data["date"], entry_id=entry_id),
                "Saved. Only you can read this.",
            )
            if saved is not None:
                return redirect("checkins:journal")
        else:
            form_errors(request, form)
    query = request.GET.get("q", "")
    actions.purge_deleted(request.user)
    return render(
        request,
        "checkins/journal.html",
        {
            "form": form,
            "entry": entry,
            "entries": actions.search_journal(request.user, query)[:100],
            "query": query,
            "deleted": actions.recently_deleted(request.user)["journal"],
            "undo_minutes": UNDO_MINUTES,
        },
    )


@person_required
@require_POST
def journal_delete(request: AuthedRequest, entry_id: int) -> HttpResponse:
    try:
        entry = actions.get_own_journal_entry(request.user, entry_id)
    except ActionError as exc:
        raise Http404(exc.message) from exc
    asked = confirm_first(
        request,
        title="Delete this journal entry?",
        consequences=[f"Delete your entry of {entry.date:%A %d %B %Y} ({len(entry.text.split())} words)."],
        action="Delete the entry",
        cancel_url=reverse("checkins:journal"),
        undo=f"You can undo this for {UNDO_MINUTES} minutes.",
    )
    if asked is not None:
        return asked
    attempt(
        request,
        lambda: actions.delete_journal(request.user, entry_id),
        f"Deleted. You can undo it below for {UNDO_MINUTES} minutes.",
    )
    return redirect("checkins:journal")


@person_required
@require_POST
def journal_undo(request: AuthedRequest, entry_id: int) -> HttpResponse:
    attempt(request, lambda: actions.undo_delete_journal(request.user, entry_id), "Undone: the entry is back.")
    return redirect("checkins:journal")


@person_required
def history(request: AuthedRequest) -> HttpResponse:
    days = actions.daily_series(request.user, 90)
    weeks = actions.contacts_by_week(request.user, 12)
    today = local_today(request.user)
    summaries = actions.scale_summaries(days, today)
    return render(
        request,
        "checkins/history.html",
        {
            "answer": actions.history_answer(summaries),
            "summaries": summaries,
            "contacts_answer": actions.contacts_answer(weeks, today),
            "day_rows": actions.day_table(days),
            "weeks": weeks,
            "moods_svg": charts.moods_chart(days) if days else "",
            "contacts_svg": charts.contacts_chart(weeks) if weeks else "",
        },
    )


@person_required
def reminder(request: AuthedRequest) -> HttpResponse:
    setting = ReminderSetting.objects.filter(owner=request.user).first()
    initial = {
        "enabled": setting.enabled if setting else False,
        "time": setting.time if setting else "20:00",
    }
    form = ReminderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_reminder(request.user, enabled=form.cleaned_data["enabled"], at=form.cleaned_data["time"])
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Reminder saved." if form.cleaned_data["enabled"] else "Reminder off.")
            return redirect("checkins:checkin")
    return render(request, "checkins/reminder.html", {"form": form})


# ---------------------------------------------------------------- coupling


def _joint_rows(request: AuthedRequest) -> list[dict[str, Any]]:
    rows = []
    for link in coupling.links_of(request.user):
        mine = link.inviter_other if link.inviter_id == request.user.pk else link.invitee_other
        consents = coupling.joint_consents(link)
        parties = (link.inviter, link.invitee)
        decision = policy.decide_joint(request.user, parties, consents)  # type: ignore[arg-type]
        report = (
            CouplingReport.objects.filter(kind=CouplingReport.Kind.JOINT, link=link).first()
            if decision.allowed
            else None
        )
        if report is not None:
            policy.check_joint(request.user, parties, consents, via="page", path=request.path)  # type: ignore[arg-type]
        sentences = []
        if report is not None:
            for effect in report.result.get("effects", []):
                text = effect.get("interpretation") or ""
                if text and (coupling.INVITER in text or coupling.INVITEE in text):  # older ones named people
                    sentences.append(
                        coupling.wording_for(
                            text,
                            viewer_is_inviter=link.inviter_id == request.user.pk,
                            other_label=mine.name if mine else "them",
                        )
                    )
        rows.append(
            {
                "link": link,
                "other": mine,
                "mine": consents.get(request.user.pk, (False, False)),
                "report": report,
                "sentences": sentences,
            }
        )
    return rows


@person_required
def coupling_page(request: AuthedRequest) -> HttpResponse:
    reports = []
    for report in coupling.solo_reports(request.user):
        series = coupling.window_series(report.result, "concurrent")
        reports.append(
            {
                "report": report,
                "answer": coupling.plain_answer(report.result, report.other.name if report.other else "them"),
                "pooled": coupling.pooled_summary(report.result),
                "effects": coupling.effects_with_chance(report.result),
                "series": series,
                "svg": charts.coupling_chart(series, report.other.name if report.other else "them") if series else "",
            }
        )
    return render(request, "checkins/coupling.html", {"reports": reports, "joint": _joint_rows(request)})


@person_required
@require_POST
def coupling_recompute(request: AuthedRequest) -> HttpResponse:
    count = coupling.recompute_solo(request.user)
    for link in coupling.links_of(request.user):
        coupling.recompute_joint(link)
    messages.success(request, f"Updated {count} report{'s' if count != 1 else ''}.")
    return redirect("checkins:coupling")


@person_required
@require_POST
def joint_consent(request: AuthedRequest, link_id: int) -> HttpResponse:
    link = next((lk for lk in coupling.links_of(request.user) if lk.pk == link_id), None)
    if link is None:
        raise Http404("Not found.")
    opted_in = request.POST.get("opted_in") == "on"
    share = request.POST.get("share_with_other") == "on"
    coupling.set_joint_consent(request.user, link, opted_in=opted_in, share_with_other=share)
    messages.success(request, "Saved. The other person is not told what you chose.")
    return redirect("checkins:coupling")
