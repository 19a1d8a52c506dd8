"""What each app contributes to the pages a therapist sees and to a data export.

Apps register small functions in their ``AppConfig.ready``:

* a *section* renders one kind of record of an owner as a simple table (used by
  the client pages and by the API, always after :func:`policy.require`);
* an *exporter* lists every record of one kind an owner holds (used by the
  "download my data" zip, which only the owner can ask for).

Keeping both here means a new record kind is shared, exported and tested in one
way, and nothing outside ``boundaries`` decides who may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from individuate.accounts.models import User

Row = dict[str, Any]


@dataclass
class Section:
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[Row] = field(default_factory=list)
    empty: str = "Nothing here yet."


SectionProvider = Callable[["User"], Section]
Exporter = Callable[["User"], list[Row]]

SECTIONS: dict[str, list[SectionProvider]] = {}
EXPORTERS: dict[str, Exporter] = {}
# A scope whose records have a richer page of their own (e.g. measures with charts):
# scope -> URL name taking the owner's id. The generic page links to it.
SCOPE_PAGES: dict[str, str] = {}


def iso(value: Any) -> str | None:
    """Dates and datetimes as ISO strings in exports (None stays None)."""
    return value.isoformat() if value else None


def register_section(kind: str, provider: SectionProvider) -> None:
    SECTIONS.setdefault(kind, []).append(provider)


def register_exporter(name: str, exporter: Exporter) -> None:
    if name in EXPORTERS:
        raise ValueError(f"an exporter named {name!r} is already registered")
    EXPORTERS[name] = exporter


def register_scope_page(scope: str, url_name: str) -> None:
    SCOPE_PAGES[scope] = url_name


def sections_for(owner: User, kind: str) -> list[Section]:
    """Call only after the policy allowed the read."""
    return [provider(owner) for provider in SECTIONS.get(kind, [])]
