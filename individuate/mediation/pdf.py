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
    sha256: str = ""  # the fingerprint the agreement is bound to


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
    fingerprint = plan_document.sha256(document)
    signed_by = {s.parent: s for s in signatures}
    agreed = len(signed_by) == 2 and all(s.sha256 in ("", fingerprint) for s in signatures)
    in_order = [signed_by[p] for p in context["parents"] if p in signed_by]
    context.update(
        case_label=case_label,
        mediator=mediator,
        sha256=fingerprint,
        signatures=signatures,
        signed_by=signed_by,
        shared_contacts=shared_contacts or {},
        must_not_meet=must_not_meet,
        agreed=agreed,
        seal=plan_document.seal(
            fingerprint,
            [
                {
                    "parent": s.parent,
                    "typed_name": s.typed_name,
                    "signed_on": s.signed_on.isoformat(),
                    "sha256": s.sha256 or fingerprint,
                }
                for s in in_order
            ],
        )
        if agreed
        else "",
    )
    return render_to_string("mediation/plan_pdf.html", context)


def render_pdf(document: dict[str, Any], **options: Any) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which the rest of the site does not need

    return HTML(string=render_html(document, **options)).write_pdf()  # type: ignore[no-any-return]
