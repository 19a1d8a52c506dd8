"""Score a CSV file of comments: every row back with spam_probability and verdict."""

from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand

from individuate.articles import spam


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
        csv.field_size_limit(1_000_000)
        try:
            with open(opts["file"], encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh, strict=True)
                fields = list(reader.fieldnames or [])
                if "text" not in fields:
                    self._fail(
                        f"{opts['file']}: there is no `text` column (the columns are: {', '.join(fields) or 'none'})."
                    )
                rows: list[dict[str, Any]] = []
                while True:
                    try:
                        row = next(reader)
                    except StopIteration:
                        break
                    except csv.Error as exc:
                        rows.append({"error": f"line {reader.line_num}: unreadable ({exc})"})
                        continue
                    rows.append(row)
        except (OSError, UnicodeDecodeError) as exc:
            self._fail(f"Cannot read {opts['file']}: {exc}")
        out_fields = [*fields, "spam_probability", "verdict", "error"]
        counts: dict[str, int] = {}
        with open(opts["out"], "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=out_fields, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                out = {k: row.get(k, "") for k in fields}
                try:
                    if "error" in row:
                        raise ValueError(row["error"])
                    text = row.get("text")
                    if not isinstance(text, str) or not text.strip():
                        raise ValueError("empty text")
                    if None in row:
                        raise ValueError("more cells than columns")
                    result = spam.assess(text, spam.Signals(website=row.get("url") or ""), model)
                    out.update(spam_probability=f"{result.probability:.4f}", verdict=result.verdict, error="")
                    counts[result.verdict] = counts.get(result.verdict, 0) + 1
                except ValueError as exc:
                    out.update(spam_probability="", verdict="", error=str(exc))
                    counts["error"] = counts.get("error", 0) + 1
                writer.writerow(out)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no rows")
