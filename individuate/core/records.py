"""One registry of every kind of record a person owns, and what each app does with it.

Apps register in their ``AppConfig.ready``:

* a *record kind* (:func:`register_kind`) — a name, a label in plain words and the
  consent scope that opens it to a therapist; ``boundaries.policy`` decides with it;
* a *section* (:func:`register_section`) renders one kind of an owner's records as a
  simple table (used by the therapist's client pages and the API, always after the
  policy allowed the read);
* an *exporter* (:func:`register_exporter`) lists every record of one kind an owner
  holds, for the "download my data" zip; it names the models it covers;
* an *eraser* (:func:`register_eraser`) removes or anonymises what deleting an
  account must take with it beyond the database's cascade; it names its models too;
* :func:`leave_out` declares a model that is deliberately neither exported nor
  erased, with the reason.

``individuate/core/tests/test_records_completeness.py`` fails when a model with a
foreign key to a person is covered by none of these, so a new model cannot be
forgotten by the export or by account deletion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from individuate.accounts.models import User

Row = dict[str, Any]

# A kind's scope is one of the consent scopes (boundaries.models.SCOPES), or:
CONNECTION = "connection"  # any active therapist connection (e.g. the client's name)
OWNER_ONLY = "owner-only"  # never shown to anyone else, whatever is granted


@dataclass(frozen=True)
class RecordKind:
    name: str
    label: str
    scope: str


@dataclass
class Section:
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[Row] = field(default_factory=list)
    empty: str = "Nothing here yet."


@dataclass(frozen=True)
class ExportSection:
    name: str
    label: str  # what the file holds, in plain words (listed in the export's README)
    exporter: Callable[[User], list[Row]]
    models: tuple[type[models.Model], ...]


@dataclass(frozen=True)
class Eraser:
    name: str
    erase: Callable[[User], None]
    models: tuple[type[models.Model], ...]


SectionProvider = Callable[["User"], Section]
Exporter = Callable[["User"], list[Row]]

KINDS: dict[str, RecordKind] = {}
SECTIONS: dict[str, list[SectionProvider]] = {}
EXPORTS: dict[str, ExportSection] = {}
ERASERS: dict[str, Eraser] = {}
LEFT_OUT: dict[type[models.Model], str] = {}
# A scope whose records have a richer page of their own (e.g. measures with charts):
# scope -> URL name taking the owner's id. The generic page links to it.
SCOPE_PAGES: dict[str, str] = {}


def iso(value: Any) -> str | None:
    """Dates and datetimes as ISO strings in exports (None stays None)."""
    return value.isoformat() if value else None


def register_kind(name: str, label: str, scope: str) -> RecordKind:
    """Declare a kind of record and which consent scope opens it to a therapist."""
    kind = RecordKind(name, label, scope)
    KINDS[name] = kind
    return kind


def register_section(kind: str, provider: SectionProvider) -> None:
    SECTIONS.setdefault(kind, []).append(provider)


def register_exporter(
    name: str, exporter: Exporter, *, label: str = "", models: Iterable[type[models.Model]] = ()
) -> None:
    if name in EXPORTS:
        raise ValueError(f"an exporter named {name!r} is already registered")
    EXPORTS[name] = ExportSection(name, label or name.replace("_", " ").capitalize(), exporter, tuple(models))


def register_eraser(name: str, erase: Callable[[User], None], *, models: Iterable[type[models.Model]] = ()) -> None:
    if name in ERASERS:
        raise ValueError(f"an eraser named {name!r} is already registered")
    ERASERS[name] = Eraser(name, erase, tuple(models))


def leave_out(model: type[models.Model], reason: str) -> None:
    """Declare a model that refers to a person but is deliberately not exported/erased."""
    if not reason.strip():
        raise ValueError("say why the model is left out")
    LEFT_OUT[model] = reason


def register_scope_page(scope: str, url_name: str) -> None:
    SCOPE_PAGES[scope] = url_name


def sections_for(owner: User, kind: str) -> list[Section]:
    """Call only after the policy allowed the read."""
    return [provider(owner) for provider in SECTIONS.get(kind, [])]


def exported_models() -> set[type[models.Model]]:
    return {m for section in EXPORTS.values() for m in section.models}


def erased_models() -> set[type[models.Model]]:
    return {m for eraser in ERASERS.values() for m in eraser.models}
