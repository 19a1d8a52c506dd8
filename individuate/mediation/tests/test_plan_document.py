from __future__ import annotations

import copy
import json

from individuate.mediation import plan_document
from individuate.mediation.holidays import common_holidays
from individuate.mediation.schedule import parse, validate

from .test_schedule import ISSUE_EXAMPLE


def test_new_document_is_valid_and_hash_is_stable_under_key_order():
    doc = plan_document.new_document(["Alex", "Sam"], "2027-01-04")
    assert plan_document.validate(doc) == []
    reordered = copy.deepcopy(dict(reversed(list(doc.items()))))
    assert plan_document.sha256(doc) == plan_document.sha256(reordered)
    doc["sections"]["review"]["every_months"] = 6
    assert plan_document.sha256(doc) != plan_document.sha256(reordered)


def test_common_holidays_are_valid_rules():
    doc = dict(ISSUE_EXAMPLE, holidays=common_holidays(["Alex", "Sam"], [{"name": "Mia", "born": "2020-02-29"}]))
    assert validate(doc) == []
    # 29 February falls on 28 February in other years
    assert parse(doc).holidays[-1].anchor(2027).isoformat() == "2027-02-28"


def test_section_values_round_trip_and_touch_nothing_else():
    doc = plan_document.new_document(["Alex", "Sam"], "2027-01-04")
    value = plan_document.section_value(doc, "regular_schedule")
    assert value == {"regular": doc["regular"]}
    value["regular"] = {"pattern": "2-2-5-5", "starts": "2027-01-04", "first": "Alex"}
    value["notes"] = "Starts after the school break."
    changed = plan_document.with_section(doc, "regular_schedule", value)
    assert changed["regular"]["pattern"] == "2-2-5-5"
    assert changed["sections"]["regular_schedule"] == {"notes": "Starts after the school break."}
    assert changed["sections"]["review"] == doc["sections"]["review"]
    assert doc["regular"]["pattern"] == "alternating-weeks"  # the original is untouched


def test_diff_reads_like_a_list_of_changes():
    before = plan_document.new_document(["Alex", "Sam"], "2027-01-04")
    after = plan_document.with_section(
        before, "regular_schedule", {"regular": {"pattern": "2-2-5-5", "starts": "2027-01-04", "first": "Alex"}}
    )
    after = plan_document.with_section(after, "holidays", {"holidays": [ISSUE_EXAMPLE["holidays"][1]]})
    lines = [(c.section, c.describe()) for c in plan_document.diff(before, after)]
    assert ("regular_schedule", "Pattern: “alternating-weeks” → “2-2-5-5”") in lines
    assert (
        "holidays",
        "Holiday “Thanksgiving”: added “the fourth Thursday of November, starting 1 night before; 4 nights; "
        "Sam every year”",
    ) in lines
    assert len(lines) == 2


def test_diff_names_fields_in_plain_words_and_keeps_same_named_rules_apart():
    before = plan_document.new_document(["Alex", "Sam"], "2027-01-04")
    rule = ISSUE_EXAMPLE["holidays"][0]
    before["holidays"] = [rule, rule]
    after = json.loads(json.dumps(before))
    after["holidays"][1] = rule | {"nights": 2}
    after["sections"].setdefault("communication", {})["reply_within_hours"] = 12
    texts = [c.describe() for c in plan_document.diff(before, after)]
    assert len(texts) == 2, texts
    assert texts[0].startswith("Holiday “Christmas Eve (2)”: “") and "2 nights" in texts[0]
    assert texts[1] == "Reply within (hours): added “12”"
    assert all("sections." not in t and "[" not in t for t in texts)


def test_section_fields_are_validated():
    doc = plan_document.new_document(["Alex", "Sam"], "2027-01-04")
    doc["sections"]["decision_making"]["education"] = "Jo"
    doc["sections"]["review"]["every_months"] = 0
    doc["sections"]["nonsense"] = {}
    errors = plan_document.validate(doc)
    assert any("choose one of joint, Alex, Sam" in e for e in errors)
    assert any("from 1 to 60" in e for e in errors)
    assert any("no section 'nonsense'" in e for e in errors)


def test_figures_open_on_the_first_year_the_plan_mostly_covers():
    from datetime import date

    from individuate.mediation import overview

    assert overview.first_year(date(2027, 1, 4)) == 2027
    assert overview.first_year(date(2027, 6, 30)) == 2027
    assert overview.first_year(date(2027, 7, 1)) == 2028
    late = plan_document.new_document(["Alex", "Sam"], "2026-12-07")
    assert overview.build(late)["year"] == 2027
