"""The schedule's figures, against values worked out by hand (the working is in the comments).

The base plan: 2-2-5-5 from Monday 2027-01-04, Alex first. Night index = days since
2027-01-04 modulo 14; the cycle AABBAAAAABBBBB gives Alex indices 0-1 and 4-8.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from individuate.mediation.schedule import (
    PATTERNS,
    PlanError,
    audit_csv,
    compare,
    hours_time,
    nth_weekday,
    parenting_time,
    parse,
    two_year_average,
    validate,
    year_time,
)

ISSUE_EXAMPLE: dict[str, Any] = {
    "parents": ["Alex", "Sam"],
    "regular": {"pattern": "2-2-5-5", "starts": "2027-01-04", "first": "Alex"},
    "holidays": [
        {
            "name": "Christmas Eve",
            "date": {"month": 12, "day": 24},
            "start_offset": 0,
            "nights": 1,
            "even_years": "Alex",
            "odd_years": "Sam",
        },
        {
            "name": "Thanksgiving",
            "date": {"month": 11, "weekday": "thu", "nth": 4},
            "start_offset": -1,
            "nights": 4,
            "every_year": "Sam",
        },
    ],
    "vacations": [{"parent": "Sam", "from": "2027-07-05", "nights": 14}],
    "one_time": [{"parent": "Alex", "from": "2027-03-12", "nights": 2}],
}
START = date(2027, 1, 4)


def plan(pattern: str = "2-2-5-5", **extra):
    doc = {"parents": ["Alex", "Sam"], "regular": {"pattern": pattern, "starts": "2027-01-04"}}
    doc.update(extra)
    return doc


def figures(doc, start, end):
    t = parenting_time(parse(doc), start, end)
    return t.overnights["Alex"], t.overnights["Sam"], t.percent["Alex"], t.percent["Sam"], t.exchanges


# 26 whole cycles (364 nights): Alex = 26 x A's per cycle; exchanges = 26 x changes around
# the cycle, minus one when the cycle ends on another letter than it starts with (the last
# wrap-around falls outside the range).
WHOLE_YEAR = {
    # pattern: (Alex, Sam, Alex %, Sam %, exchanges)
    "alternating-weeks": (182, 182, Decimal("50.0"), Decimal("50.0"), 26 * 2 - 1),
    "2-2-3": (182, 182, Decimal("50.0"), Decimal("50.0"), 26 * 6 - 1),
    "2-2-5-5": (182, 182, Decimal("50.0"), Decimal("50.0"), 26 * 4 - 1),
    "3-4-4-3": (182, 182, Decimal("50.0"), Decimal("50.0"), 26 * 4 - 1),
    # 12 A's, 2 B's; ends with A like it starts: 312/364 = 85.71 %
    "every-other-weekend": (312, 52, Decimal("85.7"), Decimal("14.3"), 26 * 2),
    # 10 A's, 4 B's: 260/364 = 71.43 %, 104/364 = 28.57 %
    "every-other-weekend-midweek": (260, 104, Decimal("71.4"), Decimal("28.6"), 26 * 6),
}

# The first 10 nights of a cycle (not a whole number of cycles).
TEN_NIGHTS = {
    "alternating-weeks": (7, 3, Decimal("70.0"), Decimal("30.0"), 1),  # AAAAAAA|BBB
    "2-2-3": (6, 4, Decimal("60.0"), Decimal("40.0"), 4),  # AA|BB|AAA|BB|A
    "2-2-5-5": (7, 3, Decimal("70.0"), Decimal("30.0"), 3),  # AA|BB|AAAAA|B
    "3-4-4-3": (6, 4, Decimal("60.0"), Decimal("40.0"), 2),  # AAA|BBBB|AAA
    "every-other-weekend": (8, 2, Decimal("80.0"), Decimal("20.0"), 2),  # AAAA|BB|AAAA
    "every-other-weekend-midweek": (6, 4, Decimal("60.0"), Decimal("40.0"), 5),  # AA|B|A|BB|AAA|B
}


def test_patterns_are_exactly_the_issues():
    assert PATTERNS == {
        "alternating-weeks": "AAAAAAABBBBBBB",
        "2-2-3": "AABBAAABBAABBB",
        "2-2-5-5": "AABBAAAAABBBBB",
        "3-4-4-3": "AAABBBBAAAABBB",
        "every-other-weekend": "AAAABBAAAAAAAA",
        "every-other-weekend-midweek": "AABABBAAABAAAA",
    }


@pytest.mark.parametrize("pattern", sorted(WHOLE_YEAR))
def test_every_named_pattern_over_26_whole_cycles(pattern):
    assert figures(plan(pattern), START, START + timedelta(days=364)) == WHOLE_YEAR[pattern]


# The calendar year 2027 (365 nights, not a whole number of cycles): the nights of Jan 1-3 are
# indices 11-13 (before the start, counted backwards); Jan 4 - Dec 31 are 362 nights = 25 whole
# cycles + indices 0-11.  So Alex = A(11..13) + 25 x A(cycle) + A(0..11), and the exchanges are
# [11..13]->0 (if the letters differ) + 25 x changes inside a cycle + 24 wraps between cycles
# + 1 wrap into the last part (when 13 and 0 differ) + changes inside indices 0-11.
CALENDAR_2027 = {
    # AAAAAAA BBBBBBB: 0 + 175 + 7 = 182 (49.86 %), Sam 183 (50.14 %); 1 + 25 + 24 + 1 + 1 = 52
    "alternating-weeks": (182, 183, Decimal("49.9"), Decimal("50.1"), 52),
    # AABBAAA BBAABBB (5 changes inside, 13 B -> 0 A): A at 0,1,4,5,6,9,10 = 7 of 0-11;
    # 0 + 175 + 7 = 182; 1 + 125 + 24 + 1 + 5 = 156
    "2-2-3": (182, 183, Decimal("49.9"), Decimal("50.1"), 156),
    # AABBAAAAA BBBBB (3 inside): 0 + 175 + 7 = 182; 1 + 75 + 24 + 1 + 3 = 104
    "2-2-5-5": (182, 183, Decimal("49.9"), Decimal("50.1"), 104),
    # AAABBBB AAAABBB (3 inside): A at 0-2, 7-10 = 7 of 0-11; 182; 1 + 75 + 24 + 1 + 3 = 104
    "3-4-4-3": (182, 183, Decimal("49.9"), Decimal("50.1"), 104),
    # AAAABBA AAAAAAA (2 inside; 13 and 0 both A): 3 + 300 + 10 = 313 (85.75 %), Sam 52
    # (14.25 %); 0 + 50 + 0 + 0 + 2 = 52
    "every-other-weekend": (313, 52, Decimal("85.8"), Decimal("14.2"), 52),
    # AABABBA AABAAAA (6 inside; B at 2,4,5,9): 3 + 250 + 8 = 261 (71.51 %), Sam 104
    # (28.49 %); 0 + 150 + 0 + 0 + 6 = 156
    "every-other-weekend-midweek": (261, 104, Decimal("71.5"), Decimal("28.5"), 156),
}


@pytest.mark.parametrize("pattern", sorted(CALENDAR_2027))
def test_every_named_pattern_over_the_calendar_year_2027(pattern):
    assert figures(plan(pattern), date(2027, 1, 1), date(2028, 1, 1)) == CALENDAR_2027[pattern]


@pytest.mark.parametrize("pattern", sorted(TEN_NIGHTS))
def test_every_named_pattern_over_part_of_a_cycle(pattern):
    assert figures(plan(pattern), START, START + timedelta(days=10)) == TEN_NIGHTS[pattern]


def test_every_other_weekend_gives_friday_and_saturday_nights():
    schedule = parse(plan("every-other-weekend"))
    sam = [n.date for n in schedule.nights(START, START + timedelta(days=14)) if n.parent == "Sam"]
    assert [d.strftime("%a") for d in sam] == ["Fri", "Sat"]
    midweek = parse(plan("every-other-weekend-midweek"))
    midweek_sam = [
        n.date.strftime("%a") for n in midweek.nights(START, START + timedelta(days=14)) if n.parent == "Sam"
    ]
    assert midweek_sam == ["Wed", "Fri", "Sat", "Wed"]


def test_2_2_5_5_over_the_calendar_year_2027():
    # Jan 1-3 are indices 11-13 (BBB); Jan 4 - Dec 31 is 362 nights = 25 cycles + indices 0-11.
    # Alex: 25*7 + 7 (indices 0,1,4-8 of the last part) = 182; Sam 183.  182/365 = 49.86 %.
    # Exchanges: BBB->A 1, 25 cycles * 3 inside, 24 between cycles, 1 into the last part, 3 in it = 104.
    t = year_time(parse(plan()), 2027)
    assert (t.nights, t.overnights, t.exchanges) == (365, {"Alex": 182, "Sam": 183}, 104)
    assert t.percent == {"Alex": Decimal("49.9"), "Sam": Decimal("50.1")}


def test_2_2_5_5_over_twenty_nights():
    # AABBAAAAABBBBB + AABBAA: Alex 7 + 4, Sam 7 + 2; exchanges 3 + 1 (wrap) + 2.
    assert figures(plan(), START, START + timedelta(days=20)) == (11, 9, Decimal("55.0"), Decimal("45.0"), 6)


def test_custom_cycle_with_spaces_and_first_parent_swapped():
    doc = plan("custom")
    doc["regular"].update(cycle="AA BBB", first="Sam")
    # 365 nights = 73 cycles of AABBB; A is Sam now.  Sam 146 (40 %), Alex 219 (60 %);
    # exchanges 73 * 2 - 1 (the cycle ends with B, starts with A).
    assert figures(doc, START, START + timedelta(days=365)) == (219, 146, Decimal("60.0"), Decimal("40.0"), 145)


# --- layers --------------------------------------------------------------------------------


def test_one_time_change_alone():
    # March 2027: Mar 1 is day 56 = index 0.  Base: two cycles (7+7 each) + Mar 29-31 AAB:
    # Alex 16, Sam 15, exchanges 3+1+3+1+1 = 9.  Mar 12-13 (indices 11-12, Sam's) go to Alex:
    # Alex 18 (58.06 %), Sam 13, and Mar 10-14 BB|AA|B adds two exchanges.
    march = (date(2027, 3, 1), date(2027, 4, 1))
    assert figures(plan(), *march) == (16, 15, Decimal("51.6"), Decimal("48.4"), 9)
    doc = plan(one_time=[{"parent": "Alex", "from": "2027-03-12", "nights": 2}])
    assert figures(doc, *march) == (18, 13, Decimal("58.1"), Decimal("41.9"), 11)
    night = parse(doc).night(date(2027, 3, 13))
    assert (night.parent, night.layer, night.rule) == ("Alex", "one-time", "one_time[0]")


def test_vacation_alone():
    # July 2027: Jul 1 is day 178 = index 10.  Jul 1-4 BBBB; Jul 5-18 one whole cycle; Jul 19-31
    # indices 0-12.  Base Alex 0+7+7 = 14, Sam 4+7+6 = 17.  Sam's vacation takes Jul 5-18:
    # Alex 7 (22.58 %), Sam 24; exchanges: B until Jul 18, then AA|BB|AAAAA|BBBB -> 1 + 3.
    july = (date(2027, 7, 1), date(2027, 8, 1))
    assert figures(plan(), *july)[:2] == (14, 17)
    doc = plan(vacations=[{"parent": "Sam", "from": "2027-07-05", "nights": 14}])
    assert figures(doc, *july) == (7, 24, Decimal("22.6"), Decimal("77.4"), 4)


def test_holiday_alone_alternates_by_year():
    # Dec 24 2027 is day 354 = index 4 (Alex's); 2027 is odd, so Sam has it.
    # Dec 24 2028 is day 720 = index 6 (Alex's); 2028 is even: Alex, no change.
    doc = plan(holidays=[ISSUE_EXAMPLE["holidays"][0]])
    schedule = parse(doc)
    assert parse(plan()).night(date(2027, 12, 24)).parent == "Alex"
    night = schedule.night(date(2027, 12, 24))
    assert (night.parent, night.layer, night.rule) == ("Sam", "holiday", "Christmas Eve 2027")
    assert schedule.night(date(2028, 12, 24)).parent == "Alex"
    assert year_time(schedule, 2027).overnights == {"Alex": 181, "Sam": 184}


def test_even_odd_alternation_across_new_year_follows_the_year_the_holiday_starts():
    second_half = {
        "name": "Winter break, second half",
        "date": {"month": 12, "day": 27},
        "nights": 7,
        "even_years": "Alex",
        "odd_years": "Sam",
    }
    schedule = parse(plan(holidays=[second_half]))
    # Started in 2027 (odd): Sam until the night of 2 January 2028; started in 2028 (even): Alex.
    assert [schedule.night(date(2028, 1, d)).parent for d in (1, 2)] == ["Sam", "Sam"]
    assert schedule.night(date(2028, 1, 1)).rule == "Winter break, second half 2027"
    assert [schedule.night(date(2029, 1, d)).parent for d in (1, 2)] == ["Alex", "Alex"]
    # The night of 3 January is the regular schedule again: 2028-01-03 is day 364 = index 0 (Alex).
    assert schedule.night(date(2028, 1, 3)).layer == "regular"


def test_the_holiday_listed_first_wins_also_over_one_that_began_the_year_before():
    new_years_day = {"name": "New Year's Day", "date": {"month": 1, "day": 1}, "nights": 1, "every_year": "Alex"}
    second_half = {
        "name": "Winter break, second half",
        "date": {"month": 12, "day": 27},
        "nights": 7,
        "even_years": "Alex",
        "odd_years": "Sam",
    }
    schedule = parse(plan(holidays=[new_years_day, second_half]))
    # The 2027 (odd: Sam) winter break covers the nights of 27 Dec 2027 - 2 Jan 2028, but the
    # night of 1 January is New Year's Day 2028, listed first: Alex.
    night = schedule.night(date(2028, 1, 1))
    assert (night.parent, night.rule) == ("Alex", "New Year's Day 2028")
    assert [(n.parent, n.rule) for n in schedule.nights(date(2027, 12, 31), date(2028, 1, 3)) if n.date.day != 1] == [
        ("Sam", "Winter break, second half 2027"),
        ("Sam", "Winter break, second half 2027"),
    ]
    # Listed the other way round, the winter break wins the night.
    swapped = parse(plan(holidays=[second_half, new_years_day]))
    assert swapped.night(date(2028, 1, 1)).parent == "Sam"


def test_thanksgiving_2027_is_25_november_and_mothers_day_9_may():
    assert nth_weekday(2027, 11, 3, 4) == date(2027, 11, 25)
    assert nth_weekday(2027, 5, 6, 2) == date(2027, 5, 9)
    assert nth_weekday(2027, 5, 0, -1) == date(2027, 5, 31)  # Memorial Day: the last Monday
    assert nth_weekday(2027, 9, 0, 1) == date(2027, 9, 6)  # Labor Day
    schedule = parse(ISSUE_EXAMPLE)
    thanksgiving = [n.date.day for n in schedule.nights(date(2027, 11, 20), date(2027, 12, 1)) if n.layer == "holiday"]
    assert thanksgiving == [24, 25, 26, 27]  # the night before, and four nights


def test_holiday_on_a_vacation_day_wins():
    doc = plan(
        vacations=[{"parent": "Sam", "from": "2027-07-05", "nights": 14}],
        holidays=[{"name": "Grandparents' visit", "date": {"month": 7, "day": 10}, "nights": 1, "every_year": "Alex"}],
    )
    schedule = parse(doc)
    assert schedule.night(date(2027, 7, 10)).parent == "Alex"
    assert schedule.night(date(2027, 7, 10)).layer == "holiday"
    assert schedule.night(date(2027, 7, 11)).layer == "vacation"
    # July: 24 Sam nights of the vacation-only plan, one given back to Alex, two more exchanges.
    assert figures(doc, date(2027, 7, 1), date(2027, 8, 1)) == (8, 23, Decimal("25.8"), Decimal("74.2"), 6)


def test_one_time_change_on_a_holiday_wins():
    doc = copy.deepcopy(ISSUE_EXAMPLE)
    doc["one_time"].append({"parent": "Alex", "from": "2027-12-24", "nights": 1})
    night = parse(doc).night(date(2027, 12, 24))
    assert (night.parent, night.layer) == ("Alex", "one-time")


def test_issue_example_over_2027():
    # From the base 182/183: Christmas Eve 2027 to Sam (-1 Alex); Thanksgiving Nov 24-27 is
    # day 324-327 = indices 2-5: BB AA -> Alex loses 2; the vacation (one whole cycle) -7;
    # the one-time change +2.  Alex 182 - 1 - 2 - 7 + 2 = 174 (47.67 %), Sam 191.
    t = year_time(parse(ISSUE_EXAMPLE), 2027)
    assert t.overnights == {"Alex": 174, "Sam": 191}
    assert t.percent == {"Alex": Decimal("47.7"), "Sam": Decimal("52.3")}


def test_two_year_average_evens_out_alternating_holidays():
    doc = plan(holidays=[ISSUE_EXAMPLE["holidays"][0]])
    average = two_year_average(parse(doc), 2027)
    # 2027: Alex 181 (Christmas Eve to Sam).  2028 (366 nights; Jan 1-2 indices 12-13, Sam's,
    # then Jan 3 + 364 nights = 26 cycles, Jan 3..Dec 31 is 364 nights): Alex 182, Sam 184.
    assert year_time(parse(doc), 2028).overnights == {"Alex": 182, "Sam": 184}
    assert average.total.overnights == {"Alex": 363, "Sam": 368}
    assert average.overnights == {"Alex": Decimal("181.5"), "Sam": Decimal("184.0")}
    assert average.percent == {"Alex": Decimal("49.7"), "Sam": Decimal("50.3")}  # 363/731


# --- hours, audit, comparison ------------------------------------------------------------------


def test_hours_split_days_at_the_exchange_time_and_leave_out_school():
    doc = plan(
        exchange={"time": "18:00"}, school={"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "15:00"}
    )
    schedule = parse(doc)
    # Days Jan 4-5 (Mon, Tue): the night of Jan 3 (index 13) is Sam's, Jan 4 and 5 Alex's.
    # Jan 4: Sam 0-18 minus school 8-15 = 11, Alex 6.  Jan 5: Alex 24 - 7 = 17.  School 14.
    t = hours_time(schedule, START, START + timedelta(days=2))
    assert t.hours == {"Alex": 23.0, "Sam": 11.0}
    assert t.third_party == 14.0
    assert t.percent == {"Alex": Decimal("67.6"), "Sam": Decimal("32.4")}
    assert "school hours" in t.method
    without = hours_time(schedule, START, START + timedelta(days=2), leave_out_school=False)
    assert without.hours == {"Alex": 30.0, "Sam": 18.0}
    assert without.third_party == 0


def test_audit_csv_names_the_deciding_layer_for_every_night():
    rows = audit_csv(parse(ISSUE_EXAMPLE), date(2027, 3, 11), date(2027, 3, 14)).splitlines()
    assert rows == [
        "date,weekday,parent,layer,rule",
        "2027-03-11,thu,Sam,regular,2-2-5-5 night 11 of 14 (B)",
        "2027-03-12,fri,Alex,one-time,one_time[0]",
        "2027-03-13,sat,Alex,one-time,one_time[0]",
    ]


def test_compare_lists_the_nights_that_differ():
    before = parse(plan())
    after = parse(plan(one_time=[{"parent": "Alex", "from": "2027-03-12", "nights": 2}]))
    result = compare(before, after, date(2027, 3, 1), date(2027, 4, 1))
    assert [d.date for d in result.differences] == [date(2027, 3, 12), date(2027, 3, 13)]
    assert result.overnights_change == {"Alex": 2, "Sam": -2}
    assert result.percent_change == {"Alex": Decimal("6.5"), "Sam": Decimal("-6.5")}
    assert result.exchanges_change == 2


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["regular"].update(pattern="2-2-4"), "unknown pattern '2-2-4'"),
        (lambda d: d["regular"].update(pattern=["2-2-5-5"]), "unknown pattern ['2-2-5-5']"),
        (lambda d: d["regular"].update(pattern={"name": "2-2-5-5"}), "unknown pattern {'name'"),
        (lambda d: d["regular"].update(starts="0000-01-01"), "there is no year 0"),
        (lambda d: d["regular"].update(pattern="custom", cycle=""), "the cycle is empty"),
        (lambda d: d["regular"].update(pattern="custom", cycle="AB" * 20), "the cycle has 40 nights"),
        (lambda d: d["regular"].update(pattern="custom", cycle="AABC"), "only the letters A and B"),
        (lambda d: d["holidays"][0].update(date={"month": 2, "day": 30}), "no 30 February"),
        (lambda d: d["holidays"][0].update(date={"month": 4, "day": 31}), "April has only 30 days"),
        (lambda d: d["holidays"][0].update(nights=0), "at least 1 night"),
        (lambda d: d["one_time"].append({"parent": "Sam", "from": "2027-03-13", "nights": 3}), "overlaps one_time[0]"),
        (lambda d: d["vacations"][0].update(parent="Jo"), "'Jo' is not one of the parents"),
        (lambda d: d["regular"].update(starts="1927-01-04"), "too far away"),
        (lambda d: d["regular"].update(starts="2207-01-04"), "too far away"),
        (lambda d: d["regular"].update(starts="2027-02-30"), "February 2027 has no day 30"),
        (lambda d: d.update(parents=["Alex", "Alex"]), "both parents are called"),
        (lambda d: d.update(holiday=[]), "Unknown field 'holiday'"),
    ],
)
def test_invalid_plans_say_what_is_wrong(change, message):
    doc = copy.deepcopy(ISSUE_EXAMPLE)
    change(doc)
    errors = validate(doc)
    assert any(message in e for e in errors), errors
    with pytest.raises(PlanError):
        parse(doc)


def test_the_issue_example_is_valid():
    assert validate(ISSUE_EXAMPLE) == []
