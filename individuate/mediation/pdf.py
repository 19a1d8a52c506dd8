"""The plan as a printable PDF (WeasyPrint): sections, schedule, year calendar, figures, signatures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string

from . import overview, plan_document


@dataclass(frozen=True)
class Signature:
    parent: str
    typed_name: str
    signed_on: date
    account: str  # how the account is named on the document (never an address)


def render_html(
    document: dict[str, Any],
    *,
    year: int | None = None,
    case_label: str = "",
    mediator: str = "",
    signatures: list[Signature] | None = None,
    shared_contacts: dict[str, str] | None = None,
    must_not_meet: bool = False,
) -> str:
    """The plan as HTML for printing. ``shared_contacts`` holds only what a parent chose to share."""
    signatures = signatures or []
    context = overview.build(document, year)
    context.update(
        case_label=case_label,
        mediator=mediator,
        sha256=plan_document.sha256(document),
        signatures=signatures,
        signed_by={s.parent: s for s in signatures},
        shared_contacts=shared_contacts or {},
        must_not_meet=must_not_meet,
        agreed=bool(signatures) and len({s.parent for s in signatures}) == 2,
    )
    return render_to_string("mediation/plan_pdf.html", context)


def render_pdf(document: dict[str, Any], **options: Any) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which the rest of the site does not need

    return HTML(string=render_html(document, **options)).write_pdf()  # type: ignore[no-any-return]
