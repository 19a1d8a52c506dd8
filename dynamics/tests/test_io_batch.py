"""The vectorised reader (``read_pairs_batch``/``read_solo_batch``) against the exact one.

Whatever the file, the batch must be what ``stack_pairs(read_pairs_csv(...))`` gives —
the same pairs in the same order, the same persons, the same grid bit for bit, the same
errors — whether the fast path read it or handed it to the exact reader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dynamics import io

HEADER = "pair_id,person,time,value\n"


def rows(pair: str, a: str, b: str, days: int = 20, start: int = 1, shift: float = 0.0) -> str:
    out = []
    for d in range(days):
        day = f"2024-03-{start + d:02d}"
        out.append(f"{pair},{a},{day},{(d * 7 % 5) + shift:.2f}\n")
        out.append(f"{pair},{b},{day},{(d * 3 % 4) + 0.5 + shift:.2f}\n")
    return "".join(out)


CASES = {
    "plain": HEADER + rows("p1", "mum", "kid") + rows("p2", "dad", "son", start=3),
    "columns in another order, blanks in the header": "value , time,person ,pair_id\n"
    + "".join(f"{v},{t},{p},{k}\n" for k, p, t, v in (line.split(",") for line in rows("p1", "a", "b").split()))
    + "".join(f"{v},{t},{p},{k}\n" for k, p, t, v in (line.split(",") for line in rows("p2", "a", "b").split())),
    "BOM and CRLF": "\ufeff" + (HEADER + rows("p1", "mum", "kid")).replace("\n", "\r\n"),
    "interleaved pairs, persons first met in the other order": HEADER
    + "".join(
        x + y
        for x, y in zip(
            rows("p1", "mum", "kid").splitlines(True), rows("p2", "kid", "mum").splitlines(True), strict=True
        )
    ),
    "quoted labels with commas, non-ASCII": HEADER + rows('"Smith, J"', '"Zoë"', "you") + rows("p2", "a", "b"),
    "several times a day (averaged), offsets": HEADER
    + rows("p1", "a", "b").replace("2024-03-05,", "2024-03-05T08:00,")
    + "p1,a,2024-03-05 20:00:00+02:00,9\np1,b,2024-03-05T21:00,1\n",
    "exponents and integers": HEADER + rows("p1", "a", "b").replace(",1.00\n", ",1e0\n").replace(",2.00\n", ",2\n"),
    "blank line": HEADER + rows("p1", "a", "b") + "\n" + rows("p2", "c", "d"),
    "negative zeros": HEADER + rows("p1", "a", "b").replace(",0.00\n", ",-0.0\n") + rows("p2", "c", "d", shift=-0.5),
    "negative zeros, several a day": HEADER
    + rows("p1", "a", "b").replace(",0.00\n", ",-0.0\n")
    + "p1,a,2024-03-05T20:00,-0\np1,b,2024-03-05T21:00,-0.0\n",
    # everything below must go to the exact reader (errors, or text it reads differently)
    "duplicated time": HEADER + rows("p1", "a", "b") + "p1,a,2024-03-01,3\n",
    "same time written twice differently": HEADER + rows("p1", "a", "b") + "p1,a,2024-03-01T00:00,3\n",
    "three persons": HEADER + rows("p1", "a", "b") + "p1,c,2024-03-01,3\n" + rows("p2", "a", "b"),
    "one person": HEADER + rows("p1", "a", "b") + "p3,a,2024-03-01,3\n",
    "blanks around a label": HEADER + rows("p1", "a", "b") + rows("p2", " c", "d"),
    "blanks around a value": HEADER + rows("p1", "a", "b").replace(",1.00\n", ", 1.00\n"),
    "bad value": HEADER + rows("p1", "a", "b") + "p1,a,2024-04-01,abc\n",
    "nan value": HEADER + rows("p1", "a", "b") + "p1,a,2024-04-01,nan\n",
    "empty value": HEADER + rows("p1", "a", "b") + "p1,a,2024-04-01,\n",
    "bad time": HEADER + rows("p1", "a", "b") + "p1,a,2024-02-30,1\n",
    "wrong number of fields": HEADER + rows("p1", "a", "b") + "p1,a,2024-04-01\n",
    "a row of blanks": HEADER + rows("p1", "a", "b") + " , , , \n",
    "unknown column": "pair_id,person,time,value,extra\n"
    + "".join(r[:-1] + ",x\n" for r in rows("p1", "a", "b").splitlines(True)),
    "header only": HEADER,
    "empty": "",
    "underscore in a number": HEADER + rows("p1", "a", "b") + "p1,a,2024-04-01,1_0\n",
    "a newline inside quotes": HEADER + rows("p1", "a", "b") + rows("p2", '"c\nd"', "e"),
    "a carriage return inside quotes": HEADER + rows("p1", "a", "b") + rows("p2", '"c\rd"', "e"),
    "not UTF-8": None,
}


FAST = list(CASES)[: list(CASES).index("duplicated time")] + [
    "blanks around a value",
    "a newline inside quotes",
    "a carriage return inside quotes",
]


@pytest.mark.parametrize("name", list(CASES))
def test_pairs_batch_equals_the_exact_reader(name: str, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    text = CASES[name]
    if text is None:
        path.write_bytes(HEADER.encode() + rows("p1", "a", "b").encode() + b"p1,\xff,2024-04-01,1\n")
    else:
        path.write_text(text, encoding="utf-8", newline="")
    fast = io._fast_read(path, io.PAIR_COLUMNS, "pair_id", "person")
    assert (fast is not None) == (name in FAST)
    batch, errors = io.read_pairs_batch(path)
    grids, want_errors = io.read_pairs_csv(path)
    assert errors == want_errors
    if not grids:
        assert batch is None
        return
    assert batch is not None
    y, start = io.stack_pairs(grids)
    assert batch.start == start
    assert list(batch.pair_ids) == [g.pair_id for g in grids]
    assert list(batch.persons) == [g.persons for g in grids]
    assert batch.y.shape == y.shape
    assert np.array_equal(batch.y, y, equal_nan=True)
    assert np.array_equal(batch.y.view(np.uint64), y.view(np.uint64))  # bit for bit: -0.0 too


@pytest.mark.parametrize("bad", [False, True])
def test_solo_batch_equals_the_exact_reader(bad: bool, tmp_path: Path) -> None:
    lines = ["person_id,time,own,perceived\n"]
    for who, first in (("s1", 1), ("s2", 4), ("s1", 25)):
        for d in range(first, first + 5):
            lines.append(f"{who},2024-03-{d:02d},{d % 4 + 1},{d % 3 + 2}\n")
    lines.append("s3,2024-03-02T08:00,5,5\ns3,2024-03-02T18:00,7,2\n")
    if bad:
        lines.append("s2,2024-03-04,1,2\n")  # duplicated
    path = tmp_path / "solo.csv"
    path.write_text("".join(lines), encoding="utf-8")
    batch, errors = io.read_solo_batch(path)
    grids, want_errors = io.read_solo_csv(path)
    assert errors == want_errors and batch is not None
    own, perceived, start = io.stack_solo(grids)
    assert batch.start == start and list(batch.person_ids) == [g.person_id for g in grids]
    assert np.array_equal(batch.own, own, equal_nan=True)
    assert np.array_equal(batch.perceived, perceived, equal_nan=True)
