"""The checkins app's records for the export and for therapists with a grant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from individuate.core.records import Section, iso

from .models import CheckIn, ContactEvent, CouplingReport, JointConsent, JournalEntry, ReminderSetting

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_checkins(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(c.at),
            "local_date": iso(c.local_date),
            "mood": c.mood,
            "guilt": c.guilt,
            "anger": c.anger,
            "anxiety": c.anxiety,
            "perceived": {p.other.name: p.value for p in c.perceived.all()},
            "note": c.note,
        }
        for c in CheckIn.objects.filter(owner=owner).prefetch_related("perceived__other").order_by("at")
    ]


def export_contacts(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(c.at),
            "with": c.other.name,
            "kind": c.kind,
            "response": c.response,
            "guilt_after": c.guilt_after,
            "note": c.note,
        }
        for c in ContactEvent.objects.filter(owner=owner).select_related("other").order_by("at")
    ]


def export_journal(owner: User) -> list[dict[str, Any]]:
    return [{"date": iso(e.date), "text": e.text} for e in JournalEntry.objects.filter(owner=owner).order_by("date")]


def export_coupling(owner: User) -> list[dict[str, Any]]:
    from .coupling import report_json  # the engine's words: only when exported

    return [
        {
            "kind": r.kind,
            "other": r.other.name if r.other else None,
            "computed_at": iso(r.computed_at),
            "result": report_json(r),
        }
        for r in CouplingReport.objects.filter(owner=owner, kind=CouplingReport.Kind.SOLO).select_related("other")
    ]


def checkins_section(owner: User) -> Section:
    rows = [
        {
            "date": c.local_date.isoformat(),
            "mood": c.mood,
            "guilt": c.guilt,
            "anger": c.anger,
            "anxiety": c.anxiety,
            "perceived": ", ".join(f"{p.other.name} {p.value}" for p in c.perceived.all()),
            "note": c.note,
        }
        for c in CheckIn.objects.filter(owner=owner).prefetch_related("perceived__other")[:120]
    ]
    return Section(
        title="Daily check-ins (latest 120)",
        columns=[
            ("date", "Day"),
            ("mood", "Mood"),
            ("guilt", "Guilt"),
            ("anger", "Anger"),
            ("anxiety", "Anxiety"),
            ("perceived", "How others seemed"),
            ("note", "Note"),
        ],
        rows=rows,
        empty="No check-ins yet.",
    )


def contacts_section(owner: User) -> Section:
    return Section(
        title="Contacts (latest 120)",
        columns=[
            ("date", "Day"),
            ("with", "With"),
            ("kind", "Kind"),
            ("response", "Response"),
            ("guilt", "Guilt after"),
            ("note", "Note"),
        ],
        rows=[
            {
                "date": c.local_date.isoformat(),
                "with": c.other.name,
                "kind": c.get_kind_display(),
                "response": c.get_response_display(),
                "guilt": c.guilt_after,
                "note": c.note,
            }
            for c in ContactEvent.objects.filter(owner=owner).select_related("other")[:120]
        ],
        empty="No contacts logged yet.",
    )


def journal_section(owner: User) -> Section:
    return Section(
        title="Journal",
        columns=[("date", "Date"), ("text", "Entry")],
        rows=[{"date": e.date.isoformat(), "text": e.text} for e in JournalEntry.objects.filter(owner=owner)[:100]],
        empty="No journal entries.",
    )


def coupling_section(owner: User) -> Section:
    rows = []
    for report in CouplingReport.objects.filter(owner=owner, kind=CouplingReport.Kind.SOLO).select_related("other"):
        pooled = (report.result.get("pooled") or {}).get("effects", [])
        for effect in [e for e in pooled if e.get("kind") == "cross_lagged"]:
            rows.append(
                {
                    "with": report.other.name if report.other else "",
                    "effect": f"pooled {effect.get('from')} → {effect.get('to')}",
                    "estimate": None if effect.get("estimate") is None else round(effect["estimate"], 2),
                    "range": " to ".join(f"{v:.2f}" for v in effect["ci95"]) if effect.get("ci95") else "",
                    "reading": "The client's pattern, informed by how patterns usually look (per-pair: "
                    + (
                        f"{effect['unpooled']['estimate']:.2f})"
                        if (effect.get("unpooled") or {}).get("estimate") is not None
                        else "too few days)"
                    ),
                }
            )
        for effect in report.result.get("effects", []):
            rows.append(
                {
                    "with": report.other.name if report.other else "",
                    "effect": effect.get("kind"),
                    "estimate": None if effect.get("estimate") is None else round(effect["estimate"], 2),
                    "range": " to ".join(f"{v:.2f}" for v in effect["ci95"]) if effect.get("ci95") else "",
                    "reading": effect.get("interpretation", ""),
                }
            )
    return Section(
        title="Coupling (solo reports)",
        columns=[
            ("with", "With"),
            ("effect", "Effect"),
            ("estimate", "Estimate"),
            ("range", "95% range"),
            ("reading", "In plain words"),
        ],
        rows=rows,
        empty="No coupling report yet.",
    )


def export_reminder(owner: User) -> list[dict[str, Any]]:
    return [
        {"enabled": r.enabled, "time": iso(r.time), "last_sent_on": iso(r.last_sent_on)}
        for r in ReminderSetting.objects.filter(owner=owner)
    ]


def export_joint_consents(owner: User) -> list[dict[str, Any]]:
    return [
        {
            "with": c.link.inviter_other.name if c.link.inviter_id == owner.pk else "the person who linked with you",
            "opted_in": c.opted_in,
            "share_with_other": c.share_with_other,
            "updated_at": iso(c.updated_at),
        }
        for c in JointConsent.objects.filter(user=owner).select_related("link__inviter_other")
    ]
