"""Slots from weekly hours: plain functions, no database."""

from __future__ import annotations

import ast
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from individuate.practice import slots
from individuate.practice.slots import (
    DatedException,
    Rules,
    SlotError,
    TimeRange,
    check_slot,
    free_slots,
    local_label,
    validate_zone,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAY_HOURS = (TimeRange(time(9), time(12)), TimeRange(time(13), time(17)))


def rules(**kw) -> Rules:
    base = {
        "time_zone": "Europe/Berlin",
        "weekly": {d: WEEKDAY_HOURS for d in range(5)},
    }
    base.update(kw)
    return Rules(**base)


def utc(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def berlin(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN)


def day_slots(r: Rules, day: date, *, busy=(), now=None) -> list[datetime]:
    """Slots of one Berlin date, far enough from `now` for notice/horizon not to matter."""
    now = now or datetime.combine(day, time(0), tzinfo=UTC) - timedelta(days=7)
    return free_slots(
        r,
        busy=list(busy),
        now=now,
        start=datetime.combine(day, time(0), tzinfo=BERLIN),
        end=datetime.combine(day + timedelta(days=1), time(0), tzinfo=BERLIN),
    )


def hhmm(moments: list[datetime], zone: ZoneInfo = BERLIN) -> list[str]:
    return [m.astimezone(zone).strftime("%H:%M") for m in moments]


# ---------------------------------------------------------------- weekly hours, buffer, notice, horizon


def test_basic_weekly_slots_several_ranges_a_day():
    found = day_slots(rules(), date(2026, 6, 3))  # a Wednesday, CEST
    assert hhmm(found) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
    ]
    assert all(m.tzinfo is UTC for m in found)
    assert found[0] == utc(2026, 6, 3, 7, 0)
    assert found == sorted(found)


def test_weekend_without_hours_has_no_slots():
    assert day_slots(rules(), date(2026, 6, 6)) == []
    assert day_slots(rules(), date(2026, 6, 7)) == []


def test_granularity_and_session_length():
    r = rules(session_minutes=45, granularity_minutes=15, weekly={2: (TimeRange(time(9), time(10, 30)),)})
    assert hhmm(day_slots(r, date(2026, 6, 3))) == ["09:00", "09:15", "09:30", "09:45"]


def test_grid_starts_from_each_range_start():
    r = rules(weekly={2: (TimeRange(time(9, 10), time(11)), TimeRange(time(14, 45), time(16)))})
    assert hhmm(day_slots(r, date(2026, 6, 3))) == ["09:10", "09:40", "10:10", "14:45"]


def test_buffer_after_and_before_a_busy_session():
    busy = [
        (berlin(2026, 6, 3, 9, 0), berlin(2026, 6, 3, 9, 50)),  # blocks 08:50–10:00
        # the same kind of interval given in New York time: 11:00–11:50 Berlin, blocks 10:50–12:00
        (datetime(2026, 6, 3, 5, 0, tzinfo=NEW_YORK), datetime(2026, 6, 3, 5, 50, tzinfo=NEW_YORK)),
    ]
    found = hhmm(day_slots(rules(), date(2026, 6, 3), busy=busy))
    assert found[:2] == ["10:00", "13:00"]  # 10:00 touches the buffer end; 10:30 would run into 10:50


def test_buffer_zero_allows_back_to_back():
    busy = [(berlin(2026, 6, 3, 9, 0), berlin(2026, 6, 3, 10, 0))]
    assert hhmm(day_slots(rules(buffer_minutes=0), date(2026, 6, 3), busy=busy))[0] == "10:00"
    assert hhmm(day_slots(rules(buffer_minutes=10), date(2026, 6, 3), busy=busy))[0] == "10:30"


def test_overlapping_and_empty_busy_intervals():
    busy = [
        (berlin(2026, 6, 3, 13, 0), berlin(2026, 6, 3, 14, 0)),
        (berlin(2026, 6, 3, 13, 30), berlin(2026, 6, 3, 15, 0)),  # overlaps the first: merged
        (berlin(2026, 6, 3, 9, 0), berlin(2026, 6, 3, 9, 0)),  # empty: ignored
    ]
    found = hhmm(day_slots(rules(), date(2026, 6, 3), busy=busy))
    assert "09:00" in found
    assert [h for h in found if h >= "13:00"] == ["15:30", "16:00"]


def test_min_notice():
    now = utc(2026, 6, 3, 8, 15)  # Wed 10:15 Berlin; 24 h notice → Thu 10:15 at the earliest
    found = free_slots(rules(), busy=[], now=now, start=now, end=now + timedelta(days=2))
    assert found[0] == berlin(2026, 6, 4, 10, 30)
    assert found[0].tzinfo is UTC
    assert all(m >= now + timedelta(hours=24) for m in found)


def test_horizon_is_inclusive_and_caps_the_window():
    now = utc(2026, 6, 1, 7, 0)  # +60 days = Fri 31 Jul 09:00 Berlin exactly
    found = free_slots(rules(), busy=[], now=now, start=utc(2026, 7, 29), end=utc(2026, 8, 10))
    assert found[-1] == berlin(2026, 7, 31, 9, 0)
    assert berlin(2026, 7, 30, 16, 0) in found
    assert (
        free_slots(
            rules(horizon_days=0, min_notice_minutes=0),
            busy=[],
            now=now,
            start=now + timedelta(days=1),
            end=now + timedelta(days=2),
        )
        == []
    )


def test_window_is_half_open():
    now = utc(2026, 5, 1)
    first, second = berlin(2026, 6, 3, 9, 0), berlin(2026, 6, 3, 9, 30)
    assert free_slots(rules(), busy=[], now=now, start=first, end=second) == [first]
    assert free_slots(rules(), busy=[], now=now, start=second, end=second) == []


def test_sixty_days_cover_every_weekday_slot():
    now = utc(2026, 6, 1)
    found = free_slots(rules(min_notice_minutes=0), busy=[], now=now, start=now, end=now + timedelta(days=90))
    assert len(found) == 12 * 44  # 1 Jun – 30 Jul (31 Jul opens after now + 60 days): 44 weekdays
    assert found[-1] < now + timedelta(days=60)


# ---------------------------------------------------------------- exceptions


def test_whole_day_off():
    r = rules(exceptions=(DatedException(date(2026, 6, 3), "off"),))
    assert day_slots(r, date(2026, 6, 3)) == []
    assert len(day_slots(r, date(2026, 6, 4))) == 12  # only that date


def test_partial_day_off_subtracts_ranges():
    r = rules(
        exceptions=(
            DatedException(date(2026, 6, 3), "off", (TimeRange(time(10), time(11)), TimeRange(time(14), time(17)))),
        )
    )
    assert hhmm(day_slots(r, date(2026, 6, 3))) == ["09:00", "11:00", "13:00"]


def test_extra_hours_on_a_free_day():
    r = rules(exceptions=(DatedException(date(2026, 6, 6), "extra", (TimeRange(time(10), time(12)),)),))
    assert hhmm(day_slots(r, date(2026, 6, 6))) == ["10:00", "10:30", "11:00"]


def test_extra_hours_merge_with_weekly_hours():
    r = rules(exceptions=(DatedException(date(2026, 6, 3), "extra", (TimeRange(time(11, 30), time(13, 30)),)),))
    found = hhmm(day_slots(r, date(2026, 6, 3)))
    assert found == [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)][:-1]  # 09:00 … 16:00, one range


def test_day_off_then_extra_hours_on_the_same_day():
    r = rules(
        exceptions=(
            DatedException(date(2026, 6, 3), "off"),
            DatedException(date(2026, 6, 3), "extra", (TimeRange(time(18), time(19)),)),
        )
    )
    assert hhmm(day_slots(r, date(2026, 6, 3))) == ["18:00"]


def test_range_until_midnight_with_time_max():
    r = rules(weekly={2: (TimeRange(time(22), time.max),)}, session_minutes=60, granularity_minutes=60)
    assert hhmm(day_slots(r, date(2026, 6, 3))) == ["22:00", "23:00"]


# ---------------------------------------------------------------- daylight saving, therapist in Berlin


def test_spring_change_monday_before_and_after():
    r = rules()
    before, after = day_slots(r, date(2026, 3, 23)), day_slots(r, date(2026, 3, 30))
    assert before[0] == utc(2026, 3, 23, 8, 0)  # 09:00 CET  (UTC+1)
    assert after[0] == utc(2026, 3, 30, 7, 0)  # 09:00 CEST (UTC+2)
    assert hhmm(before) == hhmm(after)


def test_autumn_change_monday_before_and_after():
    r = rules()
    assert day_slots(r, date(2026, 10, 19))[0] == utc(2026, 10, 19, 7, 0)  # CEST
    assert day_slots(r, date(2026, 10, 26))[0] == utc(2026, 10, 26, 8, 0)  # CET


def test_spring_change_night_skips_the_missing_hour():
    night = date(2026, 3, 29)  # 02:00 CET jumps to 03:00 CEST (01:00Z)
    r = rules(exceptions=(DatedException(night, "extra", (TimeRange(time(1), time(4)),)),))
    found = day_slots(r, night)
    # 01:00–04:00 local is only two real hours (00:00Z–02:00Z); 02:00 and 02:30 do not exist
    assert found == [utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 0)]
    assert hhmm(found) == ["01:00", "01:30", "03:00"]
    # the 01:30 session crosses the change: 50 real minutes, ending 03:20 on the wall clock
    end = check_slot(r, busy=[], now=utc(2026, 3, 1), start=found[1])
    assert end - found[1] == timedelta(minutes=50)
    assert end.astimezone(BERLIN).strftime("%H:%M") == "03:20"
    assert local_label(end, "Europe/Berlin") == "Sun 29 Mar 2026, 03:20 (Europe/Berlin, UTC+02:00)"


def test_spring_change_missing_time_is_an_instant_after_the_jump():
    night = date(2026, 3, 29)
    r = rules(exceptions=(DatedException(night, "extra", (TimeRange(time(1), time(4)),)),))
    # check_slot judges instants; "02:30 Berlin" as Python builds it (fold=0) is 01:30Z, i.e. 03:30 CEST,
    # whose 50 minutes would end at 04:20, past the hours
    assert datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN).astimezone(UTC) == utc(2026, 3, 29, 1, 30)
    with pytest.raises(SlotError, match="outside the therapist's hours"):
        check_slot(r, busy=[], now=utc(2026, 3, 1), start=datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN))
    # with longer hours the same instant is the (ordinary) 03:30 slot
    longer = rules(exceptions=(DatedException(night, "extra", (TimeRange(time(1), time(5)),)),))
    assert hhmm(day_slots(longer, night)) == ["01:00", "01:30", "03:00", "03:30", "04:00"]


def test_spring_change_range_starting_inside_the_gap_opens_when_clocks_jump():
    r = rules(weekly={6: (TimeRange(time(2, 30), time(5)),)})
    assert hhmm(day_slots(r, date(2026, 3, 29))) == ["03:00", "03:30", "04:00"]


def test_autumn_change_night_uses_the_first_of_the_repeated_hour():
    night = date(2026, 10, 25)  # 03:00 CEST falls back to 02:00 CET (01:00Z)
    r = rules(exceptions=(DatedException(night, "extra", (TimeRange(time(1), time(4)),)),))
    found = day_slots(r, night)
    # 01:00–04:00 local is four real hours (23:00Z–03:00Z); the grid is wall-clock and 02:00/02:30 mean
    # their first occurrence (fold=0, summer time); no duplicates for the repeated hour
    assert found == [
        utc(2026, 10, 24, 23, 0),
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 0, 0),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 2, 0),
    ]
    assert [local_label(m, "Europe/Berlin").split(", ", 1)[1] for m in found[2:]] == [
        "02:00 (Europe/Berlin, UTC+02:00)",
        "02:30 (Europe/Berlin, UTC+02:00)",
        "03:00 (Europe/Berlin, UTC+01:00)",
    ]
    # the 02:30 CEST session lasts 50 real minutes and ends at 02:20 CET on the wall clock
    end = check_slot(r, busy=[], now=utc(2026, 10, 1), start=found[3])
    assert end == utc(2026, 10, 25, 1, 20)
    assert local_label(end, "Europe/Berlin") == "Sun 25 Oct 2026, 02:20 (Europe/Berlin, UTC+01:00)"
    # the second 02:00 (CET, 01:00Z) is inside the hours but not on the grid
    with pytest.raises(SlotError, match="grid") as info:
        check_slot(r, busy=[], now=utc(2026, 10, 1), start=utc(2026, 10, 25, 1, 0))
    assert info.value.code == "grid"


def test_autumn_change_busy_session_across_the_change_blocks_real_time():
    night = date(2026, 10, 25)
    r = rules(exceptions=(DatedException(night, "extra", (TimeRange(time(1), time(4)),)),))
    busy = [(utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 50))]  # 02:00–02:50 CEST, blocks 23:50Z–01:00Z
    assert day_slots(r, night, busy=busy) == [utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 2, 0)]


# ---------------------------------------------------------------- clients elsewhere


@pytest.mark.parametrize(
    ("day", "utc_hour", "new_york", "berlin_offset"),
    [
        (date(2026, 3, 2), 8, "Mon 2 Mar 2026, 03:00 (America/New_York, UTC-05:00)", "+01"),  # both on winter time
        (date(2026, 3, 16), 8, "Mon 16 Mar 2026, 04:00 (America/New_York, UTC-04:00)", "+01"),  # US changed, EU not yet
        (date(2026, 3, 30), 7, "Mon 30 Mar 2026, 03:00 (America/New_York, UTC-04:00)", "+02"),  # both on summer time
        (date(2026, 10, 19), 7, "Mon 19 Oct 2026, 03:00 (America/New_York, UTC-04:00)", "+02"),
        (
            date(2026, 10, 26),
            8,
            "Mon 26 Oct 2026, 04:00 (America/New_York, UTC-04:00)",
            "+01",
        ),  # EU changed, US not yet
        (date(2026, 11, 2), 8, "Mon 2 Nov 2026, 03:00 (America/New_York, UTC-05:00)", "+01"),
    ],
)
def test_clients_see_the_same_slot_on_their_own_clock(day, utc_hour, new_york, berlin_offset):
    slot = day_slots(rules(), day)[0]  # 09:00 in Berlin
    assert slot == datetime.combine(day, time(utc_hour), tzinfo=UTC)
    assert local_label(slot, "America/New_York") == new_york
    # Kolkata keeps +05:30 all year: 13:30 while Berlin is on winter time, 12:30 on summer time
    kolkata = f"{13 if utc_hour == 8 else 12}:30"
    assert (
        local_label(slot, "Asia/Kolkata") == f"{new_york[: new_york.index(',')]}, {kolkata} (Asia/Kolkata, UTC+05:30)"
    )
    assert local_label(slot, "Europe/Berlin") == (
        f"{new_york[: new_york.index(',')]}, 09:00 (Europe/Berlin, UTC{berlin_offset}:00)"
    )


def test_local_label_format():
    moment = utc(2026, 3, 31, 8, 0)
    assert local_label(moment, "Europe/Berlin") == "Tue 31 Mar 2026, 10:00 (Europe/Berlin, UTC+02:00)"
    assert local_label(moment, "Asia/Kolkata") == "Tue 31 Mar 2026, 13:30 (Asia/Kolkata, UTC+05:30)"
    assert local_label(moment, "America/New_York") == "Tue 31 Mar 2026, 04:00 (America/New_York, UTC-04:00)"
    assert local_label(moment, "UTC") == "Tue 31 Mar 2026, 08:00 (UTC, UTC+00:00)"
    # the date can change too
    assert local_label(utc(2026, 3, 16, 20, 0), "Asia/Kolkata") == "Tue 17 Mar 2026, 01:30 (Asia/Kolkata, UTC+05:30)"
    with pytest.raises(SlotError, match="time zone"):
        local_label(datetime(2026, 3, 31, 8, 0), "Europe/Berlin")
    with pytest.raises(SlotError, match="Unknown time zone"):
        local_label(moment, "Europe/Atlantis")


def test_a_therapist_in_kolkata():
    r = rules(time_zone="Asia/Kolkata")
    assert day_slots(r, date(2026, 3, 16))[0] == utc(2026, 3, 16, 3, 30)


# ---------------------------------------------------------------- check_slot


NOW = utc(2026, 6, 1, 6, 0)  # Monday 08:00 Berlin


def check(start: datetime, **kw) -> datetime:
    return check_slot(kw.pop("r", rules()), busy=kw.pop("busy", []), now=kw.pop("now", NOW), start=start)


def test_check_slot_returns_the_utc_end():
    end = check(berlin(2026, 6, 3, 9, 0))
    assert end == utc(2026, 6, 3, 7, 50)
    assert end.tzinfo is UTC
    assert check(datetime(2026, 6, 3, 3, 0, tzinfo=NEW_YORK)) == end  # any zone for the start


@pytest.mark.parametrize(
    ("start", "code", "message"),
    [
        (berlin(2026, 5, 29, 9, 0), "past", "This time is in the past."),
        (
            berlin(2026, 6, 1, 13, 0),
            "notice",
            "This time is too soon: sessions must be booked at least 24 hours ahead.",
        ),
        (
            berlin(2026, 8, 3, 9, 0),
            "horizon",
            "This time is too far ahead: sessions can be booked at most 60 days ahead.",
        ),
        (
            berlin(2026, 6, 3, 9, 15),
            "grid",
            "This time is not on the start-time grid: sessions start every 30 minutes "
            "from the beginning of the therapist's hours.",
        ),
        (berlin(2026, 6, 3, 9, 0) + timedelta(seconds=1), "grid", "not on the start-time grid"),
        (berlin(2026, 6, 6, 10, 0), "hours", "This time is outside the therapist's hours."),  # Saturday
        (berlin(2026, 6, 3, 11, 30), "hours", "This time is outside the therapist's hours."),  # runs into lunch
        (berlin(2026, 6, 3, 7, 0), "hours", "This time is outside the therapist's hours."),  # before opening
        (
            berlin(2026, 6, 4, 9, 0),
            "overlap",
            "This time overlaps another session (including the 10-minute break between sessions).",
        ),
    ],
)
def test_check_slot_reasons(start, code, message):
    busy = [(berlin(2026, 6, 4, 8, 0), berlin(2026, 6, 4, 8, 55))]  # outside hours, but its buffer reaches 09:05
    with pytest.raises(SlotError) as info:
        check(start, busy=busy)
    assert message in str(info.value)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


def test_check_slot_day_off_is_outside_hours():
    r = rules(exceptions=(DatedException(date(2026, 6, 3), "off"),))
    with pytest.raises(SlotError, match="outside the therapist's hours"):
        check(berlin(2026, 6, 3, 9, 0), r=r)
    r = rules(exceptions=(DatedException(date(2026, 6, 3), "off", (TimeRange(time(9), time(10)),)),))
    with pytest.raises(SlotError, match="outside the therapist's hours"):
        check(berlin(2026, 6, 3, 9, 30), r=r)
    assert check(berlin(2026, 6, 3, 10, 0), r=r) == berlin(2026, 6, 3, 10, 50)


def test_check_slot_overlap_without_buffer_message():
    busy = [(berlin(2026, 6, 3, 9, 30), berlin(2026, 6, 3, 10, 20))]
    with pytest.raises(SlotError, match=r"^This time overlaps another session\.$"):
        check(berlin(2026, 6, 3, 9, 0), r=rules(buffer_minutes=0), busy=busy)


def test_check_slot_notice_phrasing():
    with pytest.raises(SlotError, match="at least 90 minutes ahead"):
        check(berlin(2026, 6, 1, 9, 0), r=rules(min_notice_minutes=90))
    with pytest.raises(SlotError, match="at least 1 hour ahead"):
        check(berlin(2026, 6, 1, 8, 30), r=rules(min_notice_minutes=60))


def test_check_slot_refuses_a_naive_start():
    with pytest.raises(SlotError, match="give a time zone") as info:
        check(datetime(2026, 6, 3, 9, 0))
    assert info.value.code == "naive"


def test_naive_now_window_or_busy_refused():
    with pytest.raises(SlotError, match="give a time zone"):
        free_slots(rules(), busy=[], now=datetime(2026, 6, 1), start=NOW, end=NOW + timedelta(days=1))
    with pytest.raises(SlotError, match="give a time zone"):
        free_slots(rules(), busy=[], now=NOW, start=datetime(2026, 6, 1), end=NOW + timedelta(days=1))
    with pytest.raises(SlotError, match="give a time zone"):
        check(berlin(2026, 6, 3, 9, 0), busy=[(datetime(2026, 6, 3, 9), datetime(2026, 6, 3, 10))])


def test_check_slot_agrees_with_free_slots_across_a_dst_week():
    r = rules(
        weekly={0: WEEKDAY_HOURS, 2: (TimeRange(time(8, 15), time(12)),), 6: (TimeRange(time(2, 30), time(5)),)},
        exceptions=(DatedException(date(2026, 10, 25), "extra", (TimeRange(time(1), time(4)),)),),
        min_notice_minutes=0,
    )
    now = utc(2026, 10, 20)
    busy = [(utc(2026, 10, 21, 8, 0), utc(2026, 10, 21, 8, 50)), (utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 50))]
    start, end = utc(2026, 10, 20), utc(2026, 10, 28)
    offered = set(free_slots(r, busy=busy, now=now, start=start, end=end))
    assert len(offered) > 15
    moment = start
    while moment < end:
        try:
            check_slot(r, busy=busy, now=now, start=moment)
            ok = True
        except SlotError:
            ok = False
        assert ok == (moment in offered), moment
        moment += timedelta(minutes=15)


# ---------------------------------------------------------------- zones and rules


def test_validate_zone():
    assert validate_zone("Europe/Berlin") == BERLIN
    assert validate_zone("Asia/Kolkata").key == "Asia/Kolkata"


@pytest.mark.parametrize("name", ["Europe/Atlantis", "", "Europe", "../etc/passwd", " Europe/Berlin", "/etc/localtime"])
def test_validate_zone_refuses_unknown_names(name):
    with pytest.raises(SlotError, match="^Unknown time zone") as info:
        validate_zone(name)
    assert info.value.code == "zone"


def test_rules_refuse_bad_settings():
    with pytest.raises(SlotError, match="Unknown time zone"):
        rules(time_zone="Mars/Olympus_Mons")
    with pytest.raises(SlotError, match="end after it starts"):
        TimeRange(time(10), time(9))
    with pytest.raises(SlotError, match="end after it starts"):
        TimeRange(time(10), time(10))
    with pytest.raises(SlotError, match="without a zone"):
        TimeRange(time(9, tzinfo=UTC), time(10, tzinfo=UTC))
    with pytest.raises(SlotError, match='"off" or "extra"'):
        DatedException(date(2026, 6, 3), "holiday")
    with pytest.raises(SlotError, match="at least one range"):
        DatedException(date(2026, 6, 3), "extra")
    with pytest.raises(SlotError, match="Weekday"):
        rules(weekly={7: WEEKDAY_HOURS})
    with pytest.raises(SlotError):
        rules(session_minutes=0)
    with pytest.raises(SlotError):
        rules(granularity_minutes=0)
    with pytest.raises(SlotError):
        rules(buffer_minutes=-1)


def test_rules_accept_positional_construction_and_lists():
    r = Rules(
        "Europe/Berlin",
        {2: [TimeRange(time(9), time(10))]},  # type: ignore[dict-item]
        (DatedException(date(2026, 6, 4), "extra", [TimeRange(time(9), time(10))]),),
    )
    assert hhmm(day_slots(r, date(2026, 6, 3))) == ["09:00"]
    assert hhmm(day_slots(r, date(2026, 6, 4))) == ["09:00"]


def test_module_imports_only_the_standard_library():
    tree = ast.parse(Path(slots.__file__).read_text())
    modules = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert modules <= {"__future__", "bisect", "collections.abc", "dataclasses", "datetime", "zoneinfo"}


# ---------------------------------------------------------------- speed


def test_sixty_days_with_a_hundred_busy_intervals_is_fast():
    r = rules(min_notice_minutes=0)
    now = utc(2026, 3, 1)
    busy = [(now + timedelta(hours=13 * i + 7), now + timedelta(hours=13 * i + 7, minutes=50)) for i in range(100)]
    best = float("inf")
    for _ in range(5):
        t0 = clock.perf_counter()
        found = free_slots(r, busy=busy, now=now, start=now, end=now + timedelta(days=60))
        best = min(best, clock.perf_counter() - t0)
    assert 300 < len(found) < 12 * 44
    assert best < 0.05
