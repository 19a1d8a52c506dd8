"""Tests for the command line (dynamics.cli) and the CSV reader (dynamics.io)."""

# mypy: disable-error-code="index,operator"

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dynamics.cli import main
from dynamics.io import read_pairs_csv

ROOT = Path(__file__).resolve().parents[2]
PAIR_KEYS = {"pair_id", "persons", "n_observations", "n_lag_pairs", "effects", "warnings"}
EFFECT_KEYS = {"kind", "from", "to", "estimate", "se", "ci95", "exceeds_chance", "interpretation"}
START = date(2024, 1, 1)


def coupled(t_len: int, seed: int, cross: float = 0.5) -> Any:
    rng = np.random.default_rng(seed)
    y = np.zeros((t_len + 30, 2))
    a = np.array([[0.3, 0.0], [cross, 0.3]])
    for t in range(1, t_len + 30):
        y[t] = a @ y[t - 1] + rng.standard_normal(2)
    return y[30:] + 5


def pair_rows(pair_id: str, t_len: int = 60, seed: int = 0, persons: Sequence[str] = ("mum", "kid")) -> list[list[str]]:
    y = coupled(t_len, seed)
    rows = []
    for t in range(t_len):
        day = (START + timedelta(days=t)).isoformat()
        for i, who in enumerate(persons):
            rows.append([pair_id, who, day, f"{y[t, i]:.4f}"])
    return rows


def write(
    path: Path, rows: list[list[str]], header: Sequence[str] | None = ("pair_id", "person", "time", "value")
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(rows)
    return path


def run(
    tmp_path: Path,
    rows: list[list[str]],
    *extra: str,
    header: Sequence[str] | None = ("pair_id", "person", "time", "value"),
    command: str = "fit",
) -> tuple[int, Any]:
    src = write(tmp_path / "in.csv", rows, header)
    out = tmp_path / "out.json"
    code = main([command, str(src), "--out", str(out), *extra])
    return code, json.loads(out.read_text())


def line_of(rows_before: int) -> int:
    """The file line of the data row after ``rows_before`` rows (header is line 1)."""
    return rows_before + 2


def test_good_file_gives_exactly_the_schema(tmp_path: Path) -> None:
    rows = pair_rows("p1", seed=1) + pair_rows("p2", seed=2)
    code, doc = run(tmp_path, rows)
    assert code == 0
    assert set(doc) == {"pairs", "errors"} and doc["errors"] == []
    assert [p["pair_id"] for p in doc["pairs"]] == ["p1", "p2"]
    for p in doc["pairs"]:
        assert set(p) == PAIR_KEYS
        assert p["persons"] == ["mum", "kid"]
        assert p["n_observations"] == {"mum": 60, "kid": 60} and p["n_lag_pairs"] == 59
        assert p["warnings"] == []
        assert [e["kind"] for e in p["effects"]] == [
            "inertia",
            "inertia",
            "cross_lagged",
            "cross_lagged",
            "synchrony",
        ]
        for e in p["effects"]:
            assert set(e) == EFFECT_KEYS
            assert isinstance(e["estimate"], float) and len(e["ci95"]) == 2
        cross = p["effects"][2]
        assert cross["from"] == "mum" and cross["to"] == "kid" and cross["exceeds_chance"] is True
        assert cross["ci95"][0] > 0


def test_ols_method_and_subprocess_entry_point(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", pair_rows("p1", seed=3))
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, "-m", "dynamics", "fit", str(src), "--out", str(out), "--method", "ols"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    # OLS on the same grid gives the Kendall-biased (smaller) inertia
    code, corrected = run(tmp_path, pair_rows("p1", seed=3))
    assert code == 0
    assert doc["pairs"][0]["effects"][0]["estimate"] < corrected["pairs"][0]["effects"][0]["estimate"]


def test_several_values_a_day_are_averaged(tmp_path: Path) -> None:
    rows = pair_rows("p1", seed=4)
    rows.append(["p1", "mum", "2024-01-01T20:00", "9.0"])
    rows[0][2] = "2024-01-01T08:00"
    grids, errors = read_pairs_csv(write(tmp_path / "a.csv", rows))
    assert errors == []
    assert grids[0].values[0, 0] == pytest.approx((float(rows[0][3]) + 9.0) / 2)
    assert grids[0].start == START and grids[0].values.shape == (60, 2)


@pytest.mark.parametrize(
    ("bad_rows", "needle"),
    [
        ([["bad", "mum", "2024-01-01", "3"], ["bad", "mum", "2024-01-02", "4"]], "only one person"),
        (
            [
                ["bad", "mum", "2024-01-01", "3"],
                ["bad", "kid", "2024-01-01", "3"],
                ["bad", "dad", "2024-01-01", "3"],
            ],
            "3 persons",
        ),
    ],
)
def test_pair_structure_errors_name_pair_and_row(tmp_path: Path, bad_rows: Any, needle: str) -> None:
    good = pair_rows("ok", seed=5)
    code, doc = run(tmp_path, good + bad_rows)
    assert code == 0
    assert [p["pair_id"] for p in doc["pairs"]] == ["ok"]
    (err,) = doc["errors"]
    assert err["pair_id"] == "bad" and needle in err["message"]
    assert f"line {line_of(len(good) + (len(bad_rows) - 1 if needle == '3 persons' else 0))}" in err["message"]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("abc", "not a finite number"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("", "not a finite number"),
    ],
)
def test_bad_values_are_reported_and_left_out(tmp_path: Path, value: str, needle: str) -> None:
    rows = pair_rows("p1", seed=6) + pair_rows("p2", seed=7)
    rows[10][3] = value  # a row of p1
    code, doc = run(tmp_path, rows)
    assert code == 0
    (err,) = doc["errors"]
    assert err["pair_id"] == "p1" and needle in err["message"] and f"line {line_of(10)}" in err["message"]
    fitted = {p["pair_id"]: p for p in doc["pairs"]}
    assert set(fitted) == {"p1", "p2"}
    assert fitted["p1"]["n_observations"]["mum"] == 59  # the bad row is left out, the rest is used


def test_out_of_product_range_but_finite_values_are_accepted(tmp_path: Path) -> None:
    rows = pair_rows("p1", seed=8)
    rows[4][3] = "42"
    rows[6][3] = "-3.5"
    code, doc = run(tmp_path, rows)
    assert code == 0 and doc["errors"] == []


def test_bad_time_and_duplicated_timestamp(tmp_path: Path) -> None:
    rows = pair_rows("p1", seed=9) + pair_rows("p2", seed=10)
    rows[3][2] = "yesterday"
    rows.insert(20, list(rows[18]))  # p1 mum, same time again
    code, doc = run(tmp_path, rows)
    assert code == 0
    messages = {e["message"] for e in doc["errors"]}
    assert all(e["pair_id"] == "p1" for e in doc["errors"]) and len(messages) == 2
    assert any("not an ISO date" in m and f"line {line_of(3)}" in m for m in messages)
    assert any("duplicated time" in m and f"line {line_of(20)}" in m and f"line {line_of(18)}" in m for m in messages)
    assert {p["pair_id"] for p in doc["pairs"]} == {"p1", "p2"}


def test_malformed_rows(tmp_path: Path) -> None:
    rows = pair_rows("p1", seed=11) + pair_rows("p2", seed=12)
    rows[30] = rows[30][:3]  # too few fields
    rows[40] = [*rows[40], "extra"]
    code, doc = run(tmp_path, rows)
    assert code == 0
    assert len(doc["errors"]) == 2
    assert all("fields" in e["message"] and e["pair_id"] == "p1" for e in doc["errors"])
    assert f"line {line_of(30)}" in doc["errors"][0]["message"]
    assert {p["pair_id"] for p in doc["pairs"]} == {"p1", "p2"}


def test_broken_quoting_keeps_what_came_before(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    good = pair_rows("p1", seed=13)
    write(src, good)
    with src.open("a", encoding="utf-8") as f:
        f.write('p2,"mum,2024-01-01,3\n')
    out = tmp_path / "out.json"
    code = main(["fit", str(src), "--out", str(out)])
    doc = json.loads(out.read_text())
    assert code == 0
    assert [p["pair_id"] for p in doc["pairs"]] == ["p1"]
    assert "malformed CSV" in doc["errors"][0]["message"] and "line" in doc["errors"][0]["message"]


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        (("pair_id", "person", "time"), "missing column(s) value"),
        (("pair_id", "person", "time", "value", "mood"), "unknown column(s) 'mood'"),
        (("pair", "person", "time", "value"), "missing column(s) pair_id"),
    ],
)
def test_wrong_columns_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], header: Any, needle: str) -> None:
    rows = [r[: len(header)] + [""] * (len(header) - 4) for r in pair_rows("p1", seed=14)]
    code, doc = run(tmp_path, rows, header=header)
    assert code == 2
    assert doc["pairs"] == [] and needle in doc["errors"][0]["message"]
    assert "line 1" in doc["errors"][0]["message"]
    assert "nothing could be fitted" in capsys.readouterr().err


def test_empty_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "empty.csv"
    src.write_text("")
    out = tmp_path / "out.json"
    assert main(["fit", str(src), "--out", str(out)]) == 2
    doc = json.loads(out.read_text())
    assert doc == {"pairs": [], "errors": [{"pair_id": "", "message": doc["errors"][0]["message"]}]}
    assert "empty file" in doc["errors"][0]["message"]
    assert "empty file" in capsys.readouterr().err


def test_header_only_and_missing_file_exit_2(tmp_path: Path) -> None:
    code, doc = run(tmp_path, [])
    assert code == 2 and "no data rows" in doc["errors"][0]["message"]
    out = tmp_path / "o.json"
    assert main(["fit", str(tmp_path / "nope.csv"), "--out", str(out)]) == 2
    assert "cannot read" in json.loads(out.read_text())["errors"][0]["message"]


def test_constant_series_is_a_warning_not_an_error(tmp_path: Path) -> None:
    rows = pair_rows("p1", seed=15) + pair_rows("flat", seed=16)
    for r in rows:
        if r[0] == "flat" and r[1] == "mum":
            r[3] = "5"
    code, doc = run(tmp_path, rows)
    assert code == 0 and doc["errors"] == []
    flat = next(p for p in doc["pairs"] if p["pair_id"] == "flat")
    assert any("constant" in w for w in flat["warnings"])
    assert all(e["estimate"] is None for e in flat["effects"] if "mum" in (e["from"], e["to"]))


def test_all_bad_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ["a", "mum", "2024-01-01", "3"],
        ["b", "x", "2024-01-01", "oops"],
        ["b", "y", "2024-01-01", "2"],
    ]
    code, doc = run(tmp_path, rows)
    assert code == 2
    assert doc["pairs"] == [] and {e["pair_id"] for e in doc["errors"]} == {"a", "b"}
    assert "nothing could be fitted" in capsys.readouterr().err


def test_only_too_short_pairs_exit_2(tmp_path: Path) -> None:
    code, doc = run(tmp_path, pair_rows("short", t_len=8, seed=17))
    assert code == 2
    assert doc["pairs"][0]["warnings"] and doc["pairs"][0]["effects"][2]["estimate"] is None


def test_windows_in_json(tmp_path: Path) -> None:
    code, doc = run(tmp_path, pair_rows("p1", t_len=90, seed=18), "--window", "30", "--step", "30")
    assert code == 0
    p = doc["pairs"][0]
    assert set(p) == PAIR_KEYS | {"windows", "change"}
    assert [(w["start"], w["end"]) for w in p["windows"]] == [
        ("2024-01-01", "2024-01-30"),
        ("2024-01-31", "2024-02-29"),
        ("2024-03-01", "2024-03-30"),
    ]
    assert all(set(e) == EFFECT_KEYS for w in p["windows"] for e in w["effects"])
    assert {(c["from"], c["to"]) for c in p["change"]["cross_lagged"]} == {
        ("mum", "kid"),
        ("kid", "mum"),
    }
    with pytest.raises(SystemExit) as exc:
        main(["fit", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.json"), "--step", "3"])
    assert exc.value.code == 2


def test_prompt_resolution_lags_only_within_a_day(tmp_path: Path) -> None:
    rng = np.random.default_rng(19)
    days, prompts = 12, 4
    values = rng.normal(5, 1, size=(days, prompts, 2))
    rows = []
    for d in range(days):
        for k in range(prompts):
            when = datetime(2024, 1, 1 + d, 8 + 4 * k).isoformat()
            rows += [
                ["p", "mum", when, f"{values[d, k, 0]:.6f}"],
                ["p", "kid", when, f"{values[d, k, 1]:.6f}"],
            ]
    code, doc = run(tmp_path, rows, "--resolution", "prompt", "--method", "ols")
    assert code == 0, doc
    p = doc["pairs"][0]
    assert p["n_lag_pairs"] == days * (prompts - 1)  # never across days
    assert p["n_observations"] == {"mum": days * prompts, "kid": days * prompts}
    # the estimate is the OLS on exactly those within-day lag pairs
    v = np.round(values, 6)
    centred = v - v.reshape(-1, 2).mean(axis=0)
    x = np.concatenate([centred[:, :-1].reshape(-1, 2)])
    target = centred[:, 1:].reshape(-1, 2)
    design = np.column_stack([np.ones(len(x)), x])
    beta, *_ = np.linalg.lstsq(design, target, rcond=None)
    assert p["effects"][2]["estimate"] == pytest.approx(beta[1, 1], abs=1e-9)  # mum -> kid
    assert p["effects"][0]["estimate"] == pytest.approx(beta[1, 0], abs=1e-9)  # mum inertia

    code, daily = run(tmp_path, rows)
    assert code == 2  # averaged to 12 days: 11 lag pairs, too few
    assert daily["pairs"][0]["n_lag_pairs"] == days - 1
    with pytest.raises(SystemExit):
        main(
            [
                "fit",
                str(tmp_path / "in.csv"),
                "--out",
                str(tmp_path / "o.json"),
                "--resolution",
                "prompt",
                "--window",
                "7",
            ]
        )


def solo_rows(pid: str, t_len: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    perceived = rng.normal(5, 1.5, t_len)
    own = 6 + 0.6 * (perceived - 5) + rng.standard_normal(t_len)
    return [
        [pid, (START + timedelta(days=t)).isoformat(), f"{own[t]:.4f}", f"{perceived[t]:.4f}"] for t in range(t_len)
    ]


SOLO_HEADER = ("person_id", "time", "own", "perceived")


def test_solo_cli(tmp_path: Path) -> None:
    rows = solo_rows("u1", 60, 20) + solo_rows("u2", 60, 21)
    rows[5][3] = "x"
    rows.append(["u3", "2024-01-01", "5", "5"])
    code, doc = run(tmp_path, rows, header=SOLO_HEADER, command="solo")
    assert code == 0
    assert [p["pair_id"] for p in doc["pairs"]] == ["u1", "u2", "u3"]
    u1 = doc["pairs"][0]
    assert set(u1) == PAIR_KEYS and u1["persons"] == ["u1", "perceived"]
    assert u1["n_observations"] == {"u1": 59, "perceived": 59}
    assert [e["kind"] for e in u1["effects"]] == ["concurrent", "lagged", "inertia"]
    conc = u1["effects"][0]
    assert conc["from"] == "perceived" and conc["to"] == "u1" and conc["exceeds_chance"] is True
    assert conc["ci95"][0] > 0.3
    assert doc["errors"] == [{"pair_id": "u1", "message": doc["errors"][0]["message"]}]
    assert f"line {line_of(5)}" in doc["errors"][0]["message"]
    assert doc["pairs"][2]["warnings"]

    code, windows = run(tmp_path, rows, "--window", "30", header=SOLO_HEADER, command="solo")
    assert code == 0 and len(windows["pairs"][0]["windows"]) == 2
    assert set(windows["pairs"][0]["change"]) == {"lagged", "concurrent"}

    code, bad = run(tmp_path, [["u", "2024-01-01", "5", "5"]], header=SOLO_HEADER, command="solo")
    assert code == 2


def test_pooled_method_on_the_command_line(tmp_path: Path) -> None:
    import numpy as np

    from dynamics.cli import main as cli_main

    rng = np.random.default_rng(5)
    rows = ["pair_id,person,time,value"]
    for p in range(60):
        a = b = 0.0
        for d in range(35):
            a, b = 0.4 * a + 0.1 * b + rng.normal(), 0.4 * b + 0.1 * a + rng.normal()
            day = f"2027-01-{d + 1:02d}" if d < 31 else f"2027-02-{d - 30:02d}"
            rows += [f"p{p},parent,{day},{5 + a:.3f}", f"p{p},child,{day},{5 + b:.3f}"]
    src = tmp_path / "pairs.csv"
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "pooled.json"
    assert cli_main(["fit", str(src), "--out", str(out), "--method", "pooled"]) == 0
    doc = json.loads(out.read_text())
    assert doc["method"] == "pooled" and doc["population_source"] == "batch"
    kinds = {(e["kind"], e["from"], e["to"]) for e in doc["population"]}
    assert ("cross_lagged", "parent", "child") in kinds and all("sd" in e and "ci95" in e for e in doc["population"])
    effect = doc["pairs"][0]["effects"][0]
    assert {"estimate", "ci95", "unpooled"} <= set(effect)

    one = tmp_path / "one.csv"
    one.write_text("\n".join(rows[: 1 + 70]) + "\n")  # a single pair: no population to estimate
    assert cli_main(["fit", str(one), "--out", str(out), "--method", "pooled"]) == 0
    assert json.loads(out.read_text())["population_source"] == "prior"


def test_pooled_method_refuses_options_it_cannot_honour(tmp_path: Path) -> None:
    import pytest as _pytest

    from dynamics.cli import main as cli_main

    with _pytest.raises(SystemExit) as exit_info:
        cli_main(["solo", "x.csv", "--out", str(tmp_path / "o.json"), "--method", "pooled"])
    assert exit_info.value.code == 2
