from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from individuate.mediation.calendar_feed import custody_calendar
from individuate.mediation.schedule import parse

NEW_YORK = ZoneInfo("America/New_York")
DOC = {
    "parents": ["Alex", "Sam"],
    "regular": {"pattern": "2-2-5-5", "starts": "2027-01-04"},
    "timezone": "America/New_York",
    "exchange": {"time": "18:00", "place": "Public library, main entrance"},
}


def events(ics: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def test_a_custody_period_across_the_daylight_saving_change_keeps_local_times():
    # March 2027: Mar 1 is index 0; Sam has indices 9-13 = the nights of Mar 10-14.
    # US clocks spring forward on Sunday 14 March 2027.
    ics = custody_calendar(parse(DOC), "Sam", date(2027, 3, 1), date(2027, 4, 1), feed_id="case-1")
    calendar = icalendar.Calendar.from_ical(ics)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    periods = [e for e in events(ics) if str(e["SUMMARY"]).endswith("with Sam")]
    spanning = next(e for e in periods if e.decoded("DTSTART").date() == date(2027, 3, 10))
    start, end = spanning.decoded("DTSTART"), spanning.decoded("DTEND")
    assert start == datetime(2027, 3, 10, 18, 0, tzinfo=NEW_YORK)
    assert end == datetime(2027, 3, 15, 18, 0, tzinfo=NEW_YORK)
    assert (start.utcoffset(), end.utcoffset()) == (timedelta(hours=-5), timedelta(hours=-4))
    utc = ZoneInfo("UTC")
    assert end.astimezone(utc) - start.astimezone(utc) == timedelta(days=5, hours=-1)  # the short night
    assert b"TZID=America/New_York:20270310T180000" in ics


def test_feed_holds_the_parents_periods_and_every_exchange():
    ics = custody_calendar(parse(DOC), "Alex", date(2027, 1, 4), date(2027, 1, 18), feed_id="case-1")
    found = events(ics)
    periods = [e for e in found if "with Alex" in str(e["SUMMARY"])]
    exchanges = [e for e in found if str(e["SUMMARY"]).startswith("Exchange")]
    # AA BB AAAAA BBBBB: Alex's nights 4-5 Jan and 8-12 Jan; exchanges on 6, 8 and 13 Jan.
    assert [e.decoded("DTSTART").date() for e in periods] == [date(2027, 1, 4), date(2027, 1, 8)]
    assert [e.decoded("DTSTART").date() for e in exchanges] == [date(2027, 1, 6), date(2027, 1, 8), date(2027, 1, 13)]
    assert [str(e["SUMMARY"]) for e in exchanges] == [
        "Exchange: hand over to Sam",
        "Exchange: pick up from Sam",
        "Exchange: hand over to Sam",
    ]
    assert str(exchanges[0]["LOCATION"]) == "Public library, main entrance"
    again = custody_calendar(parse(DOC), "Alex", date(2027, 1, 4), date(2027, 1, 18), feed_id="case-1")
    assert [str(e["UID"]) for e in events(again)] == [str(e["UID"]) for e in found]


def test_exchange_time_per_weekday():
    doc = dict(DOC, exchange={"time": "18:00", "times": {"wed": "15:30"}})
    ics = custody_calendar(parse(doc), "Sam", date(2027, 1, 4), date(2027, 1, 18))
    first = next(e for e in events(ics) if "with Sam" in str(e["SUMMARY"]))
    assert first.decoded("DTSTART") == datetime(2027, 1, 6, 15, 30, tzinfo=NEW_YORK)  # a Wednesday
