"""A person's data is theirs: export everything, or delete the account and everything with it.

Both run what the apps registered in :mod:`individuate.core.records`; this module
knows no app's models.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from .records import ERASERS, EXPORTS

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_records(user: User) -> dict[str, list[dict[str, Any]]]:
    """Every record the user owns, by kind, from every app's registered exporter."""
    return {name: EXPORTS[name].exporter(user) for name in sorted(EXPORTS)}


def export_contents() -> list[tuple[str, str]]:
    """(file name, what it holds in plain words) for every section of the export."""
    return [(name, EXPORTS[name].label) for name in sorted(EXPORTS)]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    writer = csv.DictWriter(buffer, fieldnames=columns or ["(no records)"])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()})
    return buffer.getvalue()


def export_zip(user: User) -> bytes:
    records = export_records(user)
    listing = "\n".join(f"  {name}.json / {name}.csv — {label}" for name, label in export_contents())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            "Everything Individuate holds about you, exported on "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC.\n"
            "Each kind of record is here twice: as JSON and as CSV.\n\n"
            f"The files:\n{listing}\n",
        )
        for name, rows in records.items():
            archive.writestr(f"{name}.json", json.dumps(rows, indent=2, default=str))
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


@transaction.atomic
def delete_account(user: User) -> None:
    """Run every app's eraser, then delete the account (the database cascades the rest).

    What remains: an audit entry with no personal data, and in other people's access
    logs an entry that now reads "a deleted account".
    """
    for eraser in ERASERS.values():
        eraser.erase(user)
    user.delete()
