"""Score a complete answer list without storing anything; print JSON.

python manage.py score_measure phq9 --answers 1,2,0,1,2,1,0,1,0
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from individuate.measures.registry import instruments
from individuate.measures.scoring import ScoringError, answers_from_list, score


class Command(BaseCommand):
    help = "Score an instrument from a comma-separated answer list (nothing is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instrument")
        parser.add_argument("--answers", required=True, help="values in item order, comma-separated")

    def handle(self, *args: Any, **options: Any) -> None:
        instrument = instruments().get(options["instrument"])
        if instrument is None:
            known = ", ".join(sorted(instruments()))
            self._fail(f"Unknown instrument {options['instrument']!r}. Known: {known}.")
            return
        values = [v.strip() for v in options["answers"].split(",")]
        try:
            result = score(instrument, answers_from_list(instrument, values))
        except ScoringError as exc:
            self._fail(str(exc))
            return
        self.stdout.write(json.dumps(result.as_json()))

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)
