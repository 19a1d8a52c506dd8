from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from .test_schedule import ISSUE_EXAMPLE


def run(tmp_path, capsys, doc, start, end):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    call_command("parenting_time", str(path), "--from", start, "--to", end)
    return json.loads(capsys.readouterr().out)


def test_prints_overnights_percent_and_exchanges(tmp_path, capsys):
    out = run(tmp_path, capsys, ISSUE_EXAMPLE, "2027-01-01", "2028-01-01")
    assert out["Alex"] == {"overnights": 174, "percent": 47.7}
    assert out["Sam"] == {"overnights": 191, "percent": 52.3}
    assert out["parents"]["Alex"] == out["Alex"]
    assert out["nights"] == 365
    # The base 2-2-5-5 year has 104 exchanges (test_2_2_5_5_over_the_calendar_year_2027).
    # Christmas Eve (index 4, A -> Sam): B|B A -> B B|A, the change only moves: +0.
    # Thanksgiving Nov 24-27 (indices 2-5, BBAA -> Sam) between index 1 (A) and 6 (A): A|BB|AA ->
    #   A|SSSS|A, still two: +0.  The vacation Jul 5-18 (one whole cycle, 0-13) between index 13 (B)
    #   and 0 (A): 5 changes become 1: -4.  The one-time change Mar 12-13 (indices 11-12, BB -> Alex)
    #   between 10 (B) and 13 (B): +2.  104 + 0 + 0 - 4 + 2 = 102.
    assert out["exchanges"] == 102


def test_to_is_exclusive_and_exchanges_count_inside_the_range(tmp_path, capsys):
    # Nights Jan 4-7: AABB -> one exchange; Jan 8 (the next A) is outside.
    out = run(tmp_path, capsys, ISSUE_EXAMPLE, "2027-01-04", "2027-01-08")
    assert (out["Alex"]["overnights"], out["Sam"]["overnights"], out["exchanges"]) == (2, 2, 1)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({**ISSUE_EXAMPLE, "regular": {"pattern": "2-2-4", "starts": "2027-01-04"}}, "unknown pattern"),
        ({**ISSUE_EXAMPLE, "regular": {"pattern": "custom", "cycle": "AAXB", "starts": "2027-01-04"}}, "A and B"),
        (
            {**ISSUE_EXAMPLE, "holidays": [{"name": "X", "date": {"month": 2, "day": 30}, "every_year": "Sam"}]},
            "no 30 February",
        ),
        (
            {
                **ISSUE_EXAMPLE,
                "holidays": [{"name": "X", "date": {"month": 2, "day": 3}, "nights": 0, "every_year": "Sam"}],
            },
            "at least 1 night",
        ),
        ({**ISSUE_EXAMPLE, "regular": {"pattern": "custom", "cycle": "", "starts": "2027-01-04"}}, "cycle is empty"),
        (
            {**ISSUE_EXAMPLE, "regular": {"pattern": "custom", "cycle": "AB" * 20, "starts": "2027-01-04"}},
            "the cycle has 40 nights; a custom cycle has at most 28",
        ),
        (
            {**ISSUE_EXAMPLE, "holidays": [{"name": "X", "date": {"month": 4, "day": 31}, "every_year": "Sam"}]},
            "there is no 31 April",
        ),
        ({**ISSUE_EXAMPLE, "regular": {"pattern": "2-2-5-5", "starts": "2027-04-31"}}, "April 2027 has no day 31"),
        ("{not json", "not valid JSON"),
    ],
)
def test_invalid_plan_exits_2_with_a_clear_message(tmp_path, capsys, doc, message):
    with pytest.raises(SystemExit) as exit_:
        run(tmp_path, capsys, doc, "2027-01-01", "2028-01-01")
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_range_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(tmp_path, capsys, ISSUE_EXAMPLE, "2028-01-01", "2027-01-01")
    assert exit_.value.code == 2
    assert "must be after" in capsys.readouterr().err


ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "manage.py", "parenting_time", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_real_command_with_the_issues_document_as_written(tmp_path):
    # The issue's minimal document, character for character as the issue spells it.
    path = tmp_path / "PLAN.json"
    path.write_text(
        """{"parents": ["Alex", "Sam"],
 "regular": {"pattern": "2-2-5-5", "starts": "2027-01-04", "first": "Alex"},
 "holidays": [{"name": "Christmas Eve", "date": {"month": 12, "day": 24}, "start_offset": 0, "nights": 1,
               "even_years": "Alex", "odd_years": "Sam"},
              {"name": "Thanksgiving", "date": {"month": 11, "weekday": "thu", "nth": 4}, "start_offset": -1,
               "nights": 4, "every_year": "Sam"}],
 "vacations": [{"parent": "Sam", "from": "2027-07-05", "nights": 14}],
 "one_time": [{"parent": "Alex", "from": "2027-03-12", "nights": 2}]}"""
    )
    # Nights Mar 10-14 are indices 9-13 (BBBBB); the one-time change gives Mar 12-13 to Alex:
    # B B|A A|B (the night of the 15th, index 0 = A, is outside: --to is exclusive), so
    # Alex 2 (2/5 = 40 %), Sam 3 (60 %), 2 exchanges.
    done = _manage(str(path), "--from", "2027-03-10", "--to", "2027-03-15")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["Alex"], out["Sam"], out["exchanges"]) == (
        {"overnights": 2, "percent": 40.0},
        {"overnights": 3, "percent": 60.0},
        2,
    )
    bad = json.loads(path.read_text())
    bad["regular"]["pattern"] = "2-2-4"
    path.write_text(json.dumps(bad))
    done = _manage(str(path), "--from", "2027-01-01", "--to", "2028-01-01")
    assert done.returncode == 2
    assert "regular.pattern: unknown pattern '2-2-4'" in done.stderr and done.stdout == ""
