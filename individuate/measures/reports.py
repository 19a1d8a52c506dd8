"""What the result, therapist and psychometrics pages show, computed from responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dynamics.psychometrics import cronbach_alpha, reliability_report, reliable_change_threshold
from individuate.core.charts import cached_chart

from . import charts
from .actions import flag_detail, flags_for_therapist
from .instruments import Instrument
from .models import Response
from .registry import instruments

if TYPE_CHECKING:
    from individuate.accounts.models import User

MIN_FOR_PSYCHOMETRICS = 30


@dataclass
class HistoryPoint:
    response: Response
    total: float
    band: str
    change: float | None
    reliable: bool


def keyed_matrix(instrument: Instrument, responses: list[Response]) -> np.ndarray:
    """Scored items as numbers (reverse keying applied), one row per response."""
    items = instrument.scored_items
    return np.array(
        [
            [item.keyed(int(r.answers[item.id])) if item.id in r.answers else np.nan for item in items]
            for r in responses
        ],
        dtype=float,
    ).reshape(len(responses), len(items))


def _current_version(instrument: Instrument) -> Any:
    """Completed responses to this version only: another version may have other items
    or another total (enmeshment-child 2 leaves resentment out)."""
    return Response.objects.filter(
        instrument=instrument.id, status=Response.Status.COMPLETED, instrument_version=instrument.version
    )


def reliable_change_for(instrument: Instrument) -> float | None:
    """The fixed threshold an instrument declares (PHQ-9: 5), else one computed from
    this deployment's own responses (Jacobson–Truax) once there are enough of them."""
    if instrument.reliable_change is not None:
        return instrument.reliable_change
    responses = list(_current_version(instrument))
    if len(responses) < MIN_FOR_PSYCHOMETRICS:
        return None
    matrix = keyed_matrix(instrument, responses)
    totals = np.array([r.total for r in responses], dtype=float)
    total_columns = [instrument.scored_items.index(i) for i in instrument.total_items()]
    alpha = cronbach_alpha(matrix[:, total_columns])
    if not np.isfinite(alpha) or alpha <= 0:
        return None
    return reliable_change_threshold(float(np.std(totals, ddof=1)), float(min(alpha, 1.0)))


def history(owner: User, instrument: Instrument, threshold: float | None) -> list[HistoryPoint]:
    points: list[HistoryPoint] = []
    previous: float | None = None
    previous_version = ""
    for response in Response.objects.filter(
        owner=owner, instrument=instrument.id, status=Response.Status.COMPLETED
    ).order_by("completed_at", "id"):
        total = float(response.total or 0)
        change = None if previous is None else total - previous
        # A change across versions may come from the scoring, not the person: never "reliable".
        same_version = response.instrument_version == previous_version
        reliable = change is not None and same_version and threshold is not None and abs(change) >= threshold - 1e-9
        points.append(HistoryPoint(response, total, response.band, change, reliable))
        previous, previous_version = total, response.instrument_version
    return points


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def history_answer(points: list[HistoryPoint], response: Response, threshold: float | None) -> str:
    """The "Over time" section's answer in words, above its chart: this result against the
    time before and against the first — what changed, never why."""
    at = next((n for n, p in enumerate(points) if p.response.pk == response.pk), None)
    if at is None or at == 0:
        return ""
    point, before, first = points[at], points[at - 1], points[0]
    when = before.response.completed_at
    since = f"{when.day} {when:%b}" if when else "the time before"
    if point.change is None or abs(point.change) < 1e-9:
        sentence = f"Your total is {_num(point.total)}, the same as the time before ({since})"
    else:
        way = "down" if point.change < 0 else "up"
        by, to = _num(abs(point.change)), _num(point.total)
        sentence = f"Your total went {way} by {by} since the time before ({since}), to {to}"
    if point.reliable:
        sentence += ": a change larger than day-to-day variation"
    elif threshold is not None and point.change:
        sentence += ": within day-to-day variation"
    if at >= 2:
        first_when = first.response.completed_at
        start = f"{first_when.day} {first_when:%b %Y}" if first_when else "the first time"
        overall = point.total - first.total
        if abs(overall) < 1e-9:
            sentence += f". It is where it was the first time ({start})"
        else:
            way = "lower" if overall < 0 else "higher"
            sentence += f". It is {_num(abs(overall))} {way} than the first time ({start}, {_num(first.total)})"
    return sentence + "."


@cached_chart
def _history_chart(instrument: Instrument, points: list[HistoryPoint]) -> str:
    return charts.history_chart(
        instrument,
        [p.response.completed_at for p in points if p.response.completed_at is not None],
        [p.total for p in points],
        [p.reliable for p in points],
    )


def result_context(response: Response) -> dict[str, Any]:
    instrument = instruments()[response.instrument]
    total = float(response.total or 0)
    threshold = reliable_change_for(instrument)
    points = history(response.owner, instrument, threshold)
    subscale_rows = [
        {
            "subscale": s,
            "value": response.subscales.get(s.id, 0.0),
            "feedback": s.feedback_for(response.subscales.get(s.id, 0.0), response.band),
        }
        for s in instrument.subscales
    ]
    flags = [f for f in instrument.flags if f.id in response.flags]
    return {
        "response": response,
        "instrument": instrument,
        "band": instrument.band_for(total),
        "total": total,
        "subscale_rows": subscale_rows,
        "profile_svg": charts.profile_chart(instrument, response.subscales, total),
        "points": points,
        "history_svg": _history_chart(instrument, points) if len(points) >= 2 else "",
        "history_answer": history_answer(points, response, threshold),
        "threshold": threshold,
        "flags": flags,
    }


def client_overview(client: User, therapist: User) -> dict[str, Any]:
    sections = []
    for instrument in instruments().values():
        threshold = reliable_change_for(instrument)
        points = history(client, instrument, threshold)
        if not points:
            continue
        sections.append(
            {
                "instrument": instrument,
                "points": points,
                "latest": points[-1],
                "threshold": threshold,
                "svg": _history_chart(instrument, points) if len(points) >= 2 else "",
            }
        )
    return {
        "client": client,
        "sections": sections,
        "flags": [(flag_detail(f), seen) for f, seen in flags_for_therapist(therapist, client)],
    }


def history_rows(client: User) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for instrument in instruments().values():
        for p in history(client, instrument, reliable_change_for(instrument)):
            r = p.response
            rows.append(
                [
                    r.completed_at.isoformat() if r.completed_at else "",
                    instrument.id,
                    r.instrument_version,
                    f"{p.total:g}",
                    p.band,
                    "" if p.change is None else f"{p.change:+g}",
                    "yes" if p.reliable else "no",
                    " ".join(r.flags),
                    " ".join(f"{k}={v:.2f}" for k, v in r.subscales.items()),
                ]
            )
    rows.sort(key=lambda row: row[0])
    return rows


def psychometrics() -> list[dict[str, Any]]:
    """Reliability of each instrument from this deployment's completed responses."""
    out: list[dict[str, Any]] = []
    for instrument in instruments().values():
        responses = list(_current_version(instrument))
        entry: dict[str, Any] = {
            "instrument": instrument,
            "n": len(responses),
            "scales": [],
            "enough": False,
        }
        if len(responses) >= MIN_FOR_PSYCHOMETRICS:
            matrix = keyed_matrix(instrument, responses)
            items = list(instrument.scored_items)
            scales = {"total": [items.index(i) for i in instrument.total_items()]}
            method = {"total": instrument.total_method}
            labels = {"total": "Total"}
            for s in instrument.subscales:
                scales[s.id] = [n for n, i in enumerate(items) if i.subscale == s.id]
                method[s.id] = s.method
                labels[s.id] = s.label
            scales = {k: v for k, v in scales.items() if len(v) >= 2}
            report = reliability_report(matrix, scales, method=method, n_boot=1000, seed=0)
            entry["enough"] = True
            entry["scales"] = [
                {
                    "label": labels[name],
                    "result": result,
                    "items": [(items[col], r) for col, r in zip(scales[name], result.item_total, strict=True)],
                }
                for name, result in report.items()
            ]
        out.append(entry)
    return out
