from __future__ import annotations

import json

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
    assert isinstance(out["exchanges"], int)


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
