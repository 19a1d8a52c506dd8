"""``manage.py parenting_time PLAN.json --from YYYY-MM-DD --to YYYY-MM-DD``: the figures as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from individuate.mediation.schedule import PlanError, parenting_time, parse, parse_date

INVALID = 2


class Command(BaseCommand):
    help = (
        "Print each parent's overnights and percent, and the number of exchanges, for the nights "
        "from --from (inclusive) to --to (exclusive) of a parenting plan JSON document."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", help="the plan document (JSON); - reads standard input")
        parser.add_argument("--from", dest="start", required=True, help="first night, YYYY-MM-DD (inclusive)")
        parser.add_argument("--to", dest="end", required=True, help="end, YYYY-MM-DD (exclusive)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = self._read(options["plan"])
            schedule = parse(document)
            start = parse_date(options["start"], "--from")
            end = parse_date(options["end"], "--to")
            if end <= start:
                raise PlanError([f"--to ({end.isoformat()}) must be after --from ({start.isoformat()})."])
        except PlanError as error:
            self.stderr.write("The plan cannot be used:\n" + "\n".join(f"  - {e}" for e in error.errors))
            sys.exit(INVALID)
        figures = parenting_time(schedule, start, end)
        self.stdout.write(json.dumps(figures.as_json(), indent=2, ensure_ascii=False))

    @staticmethod
    def _read(name: str) -> Any:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise PlanError([f"{name}: cannot be read ({error.strerror or error})."]) from error
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise PlanError(
                [f"{name}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."]
            ) from error
