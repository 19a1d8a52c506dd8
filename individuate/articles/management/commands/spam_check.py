"""Score a CSV file of comments: every row back with spam_probability and verdict.

A row that cannot be read (broken quoting, a quote opened and never closed, bytes that
are not UTF-8, more cells than columns) comes back with an ``error`` and no verdict; the
rows after it are read as usual. Exit 2: no model, an unreadable file or header, or no
``text`` column.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand

from individuate.articles import spam

#: A quoted cell may run over several lines; past this many, an open quote is taken as broken.
MAX_RECORD_LINES = 200
_OPEN_QUOTE = "unexpected end of data"
UNCLOSED = "a quote is opened and never closed; the row was not scored"


@dataclass
class Record:
    line: int  # the file's line number where the row starts (the header is line 1)
    cells: list[str]
    error: str = ""


def _lenient(line: str) -> list[str]:
    """The cells of a broken line as well as they can be read (to show which row it was)."""
    try:
        return next(csv.reader([line.rstrip("\r\n")]), [])
    except csv.Error:
        return [line.rstrip("\r\n")]


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def read_records(raw: bytes) -> tuple[list[str], Iterator[Record]]:
    """The header, and every row after it as a :class:`Record`. Raises ValueError when the
    header itself cannot be read."""
    lines: list[bytes] = raw.splitlines(keepends=True)
    if not lines:
        return [], iter(())
    try:
        header_line = lines[0].decode("utf-8").lstrip("\ufeff")
        header = _parse(header_line)
    except UnicodeDecodeError as exc:
        raise ValueError(f"its first line is not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise ValueError(f"its header line cannot be read ({exc})") from exc
    return (header[0] if header else []), _rows(lines)


def _decode(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _rows(lines: list[bytes]) -> Iterator[Record]:
    i, n = 1, len(lines)
    while i < n:
        first = _decode(lines[i])
        if first is None:
            yield Record(i + 1, [], "not UTF-8 text; the row was not scored")
            i += 1
            continue
        if not first.strip():
            i += 1
            continue
        buf, j = "", i
        while True:
            text = _decode(lines[j]) if j < n and j - i < MAX_RECORD_LINES else None
            if text is None:  # end of file, too long or bad bytes while a quote is open
                yield Record(i + 1, _lenient(first), UNCLOSED)
                i += 1
                break
            buf += text
            j += 1
            try:
                parsed = _parse(buf)
            except csv.Error as exc:
                if _OPEN_QUOTE in str(exc):
                    continue  # a quoted cell that runs on to the next line
                if j - i > 1:  # the line alone left a quote open; what followed did not close it well
                    yield Record(i + 1, _lenient(first), UNCLOSED)
                else:
                    yield Record(i + 1, _lenient(first), f"broken quoting ({exc}); the row was not scored")
                i += 1
                break
            yield Record(i + 1, parsed[0] if parsed else [])
            i = j
            break


class Command(BaseCommand):
    help = "spam_check FILE.csv --out OUT.csv: reads a `text` column (optional author, email, url)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--out", required=True)

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args: Any, **opts: Any) -> None:
        model = spam.load_model()
        if model is None:
            self._fail("No spam model yet: run `python manage.py train_spam_model` first.")
        try:
            with open(opts["file"], "rb") as src:
                raw = src.read()
            fields, records = read_records(raw)
        except OSError as exc:
            self._fail(f"Cannot read {opts['file']}: {exc.strerror or exc}.")
        except ValueError as exc:
            self._fail(f"Cannot read {opts['file']}: {exc}.")
        if "text" not in fields:
            self._fail(f"{opts['file']}: there is no `text` column (the columns are: {', '.join(fields) or 'none'}).")
        out_fields = [*fields, "spam_probability", "verdict", "error"]
        counts: dict[str, int] = {}
        try:
            fh = open(opts["out"], "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        except OSError as exc:
            self._fail(f"Cannot write {opts['out']}: {exc.strerror or exc}.")
        with fh:
            writer = csv.DictWriter(fh, fieldnames=out_fields, extrasaction="ignore")
            writer.writeheader()
            for record in records:
                row = dict(zip(fields, record.cells, strict=False))
                out: dict[str, Any] = {k: row.get(k, "") for k in fields}
                try:
                    if record.error:
                        raise ValueError(f"line {record.line}: {record.error}")
                    if len(record.cells) > len(fields):
                        raise ValueError(f"line {record.line}: more cells than columns; the row was not scored")
                    text = row.get("text", "")
                    if not text.strip():
                        raise ValueError(f"line {record.line}: empty text")
                    result = spam.assess(text, spam.Signals(website=row.get("url") or ""), model)
                    out.update(spam_probability=f"{result.probability:.4f}", verdict=result.verdict, error="")
                    counts[result.verdict] = counts.get(result.verdict, 0) + 1
                except ValueError as exc:
                    out.update(spam_probability="", verdict="", error=str(exc))
                    counts["error"] = counts.get("error", 0) + 1
                writer.writerow(out)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no rows")
