"""Appointment e-mails and calendar files, proven end to end.

The e-mails go through Django's real SMTP backend to a real SMTP server (aiosmtpd)
on localhost; what arrives is parsed like a mail client would: MIME first, then the
text/calendar part with icalendar. Time zones are checked around the 2026 DST switches
(USA on 8 March, Europe on 29 March; India has none, at +05:30).
"""

from __future__ import annotations

import dataclasses
import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from icalendar import Calendar

from individuate.practice.calendar import AppointmentInfo, appointment_ics, feed_ics
from individuate.practice.notify import EVENTS, appointment_message, send_appointment_email

THERAPIST = "dr.weber@practice.example"
CLIENT = "client@example.org"
CLINICAL_WORDS = ("phq", "gad", "enmesh", "depress", "anxi")


def info_at(start: datetime, attendee_tz: str = "Asia/Kolkata", **changes: object) -> AppointmentInfo:
    info = AppointmentInfo(
        uid="appt-42@individuate",
        sequence=0,
        start=start,
        end=start + timedelta(minutes=50),
        status="confirmed",
        therapist_name="Dr Weber",
        therapist_email=THERAPIST,
        therapist_tz="Europe/Berlin",
        attendee_email=CLIENT,
        attendee_tz=attendee_tz,
        summary="Session with Dr Weber",
    )
    return dataclasses.replace(info, **changes)


# ---------------------------------------------------------------- helpers: a real SMTP server, a mail reader


class Collector:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 — aiosmtpd's hook name
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[Collector]:
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            yield handler
    finally:
        controller.stop()


@dataclasses.dataclass
class Received:
    raw: bytes
    message: EmailMessage
    subject: str
    text: str
    html: str
    ics_raw: str
    calendar: Calendar

    @property
    def event(self):
        (event,) = self.calendar.walk("VEVENT")
        return event

    @property
    def calendar_part(self) -> EmailMessage:
        return next(p for p in self.message.walk() if p.get_content_type() == "text/calendar")

    def everything(self) -> str:
        return "\n".join([self.subject, self.text, self.html, self.ics_raw])


def read(raw: bytes) -> Received:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    parts = {p.get_content_type(): p for p in message.walk() if not p.is_multipart()}
    ics_raw = parts["text/calendar"].get_content()
    return Received(
        raw=raw,
        message=message,
        subject=str(message["Subject"]),
        text=parts["text/plain"].get_content(),
        html=parts["text/html"].get_content(),
        ics_raw=ics_raw,
        calendar=Calendar.from_ical(ics_raw),
    )


def built(event: str, info: AppointmentInfo, to: str, tz: str, **kwargs: object) -> Received:
    """The message as it would go on the wire, without sending it."""
    return read(appointment_message(event, info, to=to, recipient_tz=tz, **kwargs).message().as_bytes())


# ---------------------------------------------------------------- over SMTP: invite, then cancellation


def test_confirmed_then_cancelled_arrive_over_smtp_as_one_calendar_entry(smtp: Collector) -> None:
    start = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)
    info = info_at(start)
    send_appointment_email("confirmed", info, to=CLIENT, recipient_tz="Asia/Kolkata", manage_path="/appointments/")
    later = dataclasses.replace(info, sequence=1, status="cancelled")
    send_appointment_email(
        "cancelled",
        later,
        to=CLIENT,
        recipient_tz="Asia/Kolkata",
        reason="I have to travel",
        manage_path="/appointments/",
    )

    assert len(smtp.received) == 2
    assert [rcpt for rcpt, _ in smtp.received] == [[CLIENT], [CLIENT]]
    invite, cancel = (read(raw) for _, raw in smtp.received)

    # The attachment, as mail clients see it.
    for received, method in ((invite, "REQUEST"), (cancel, "CANCEL")):
        part = received.calendar_part
        assert part.get_param("method") == method
        assert part.get_filename() == "invite.ics"
        assert f"; method={method}".encode() in received.raw  # on the wire as Outlook wants it, unquoted
        assert received.calendar["METHOD"] == method
        assert received.calendar["VERSION"] == "2.0"
        assert "PRODID" in received.calendar

    # One entry: same UID, the sequence goes up, the times are the UTC instants.
    first, second = invite.event, cancel.event
    assert str(first["UID"]) == str(second["UID"]) == "appt-42@individuate"
    assert int(first["SEQUENCE"]) == 0
    assert int(second["SEQUENCE"]) == 1
    for event in (first, second):
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTEND") == start + timedelta(minutes=50)
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert str(event["ORGANIZER"]) == f"mailto:{THERAPIST}"
        assert event["ORGANIZER"].params["CN"] == "Dr Weber"
        assert str(event["ATTENDEE"]) == f"mailto:{CLIENT}"
    for raw in (invite.ics_raw, cancel.ics_raw):
        assert "DTSTART:20260331T080000Z" in raw
        assert "DTEND:20260331T085000Z" in raw
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(second["STATUS"]) == "CANCELLED"

    # The words, in the client's own time.
    when = "Tuesday 31 March 2026, 13:30–14:20 (Asia/Kolkata)"
    assert invite.subject == "Session with Dr Weber confirmed"
    assert when in invite.text
    assert when in invite.html
    assert "http://127.0.0.1:8000/appointments/" in invite.text  # SITE_ROOT + manage_path
    assert cancel.subject == "Session with Dr Weber cancelled"
    assert when in cancel.text
    assert "I have to travel" in cancel.text
    assert "10:00" not in invite.text  # the therapist's local time is not the client's


@pytest.mark.parametrize(
    ("event", "method", "status", "partstat"),
    [
        ("requested", "REQUEST", "TENTATIVE", "NEEDS-ACTION"),
        ("confirmed", "REQUEST", "CONFIRMED", "ACCEPTED"),
        ("rescheduled", "REQUEST", "CONFIRMED", "ACCEPTED"),
        ("reminder", "REQUEST", "CONFIRMED", "ACCEPTED"),
        ("declined", "CANCEL", "CANCELLED", "DECLINED"),
        ("cancelled", "CANCEL", "CANCELLED", "DECLINED"),
    ],
)
def test_each_event_carries_the_right_method_and_status(event: str, method: str, status: str, partstat: str) -> None:
    model_status = {"requested": "requested", "declined": "declined", "cancelled": "cancelled"}.get(event, "confirmed")
    info = info_at(datetime(2026, 3, 31, 8, 0, tzinfo=UTC), status=model_status, sequence=3)
    received = built(event, info, CLIENT, "Asia/Kolkata")
    assert received.calendar_part.get_param("method") == method
    assert received.calendar["METHOD"] == method
    assert str(received.event["STATUS"]) == status
    assert received.event["ATTENDEE"].params["PARTSTAT"] == partstat
    assert int(received.event["SEQUENCE"]) == 3
    assert "Dr Weber" in received.subject or event == "reminder" and "24 hours" in received.subject


def test_reminder_says_in_24_hours() -> None:
    info = info_at(datetime(2026, 3, 31, 8, 0, tzinfo=UTC))
    for to, tz in ((CLIENT, "Asia/Kolkata"), (THERAPIST, "Europe/Berlin")):
        received = built("reminder", info, to, tz)
        assert "in 24 hours" in received.subject
        assert "in 24 hours" in received.text
        assert "in 24 hours" in received.html


# ---------------------------------------------------------------- time zones around the DST switches

CASES = [
    # After Europe's switch (29 Mar): Berlin CEST +2, New York EDT -4, Kolkata +5:30.
    (
        datetime(2026, 3, 31, 8, 0, tzinfo=UTC),
        "Tuesday 31 March 2026, 10:00–10:50 (Europe/Berlin)",
        "Tuesday 31 March 2026, 04:00–04:50 (America/New_York)",
        "Tuesday 31 March 2026, 13:30–14:20 (Asia/Kolkata)",
        "Tue 31 Mar 2026 10:00 in Europe/Berlin (therapist) · 04:00 in America/New_York (you)",
        "Tue 31 Mar 2026 10:00 in Europe/Berlin (therapist) · 13:30 in Asia/Kolkata (you)",
    ),
    # Between the switches: Berlin still CET +1, New York already EDT -4 (since 8 Mar), Kolkata +5:30.
    (
        datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
        "Friday 20 March 2026, 10:00–10:50 (Europe/Berlin)",
        "Friday 20 March 2026, 05:00–05:50 (America/New_York)",
        "Friday 20 March 2026, 14:30–15:20 (Asia/Kolkata)",
        "Fri 20 Mar 2026 10:00 in Europe/Berlin (therapist) · 05:00 in America/New_York (you)",
        "Fri 20 Mar 2026 10:00 in Europe/Berlin (therapist) · 14:30 in Asia/Kolkata (you)",
    ),
]


@pytest.mark.parametrize(
    ("start", "berlin", "new_york", "kolkata", "ny_description", "in_description"),
    CASES,
    ids=["after-eu-switch", "between-us-and-eu-switch"],
)
def test_each_side_reads_its_own_local_time_across_dst(
    start: datetime, berlin: str, new_york: str, kolkata: str, ny_description: str, in_description: str
) -> None:
    for client_tz, client_when, description in (
        ("America/New_York", new_york, ny_description),
        ("Asia/Kolkata", kolkata, in_description),
    ):
        info = info_at(start, attendee_tz=client_tz)
        to_client = built("confirmed", info, CLIENT, client_tz)
        assert client_when in to_client.text
        assert client_when in to_client.html
        assert berlin not in to_client.text
        assert str(to_client.event["DESCRIPTION"]) == description
        assert to_client.event.decoded("DTSTART") == start  # the instant itself is zone-free

        to_therapist = built("confirmed", info, THERAPIST, "Europe/Berlin")
        assert berlin in to_therapist.text
        assert berlin in to_therapist.subject
        assert client_when not in to_therapist.text
        # The therapist's copy of the invite calls the therapist "you".
        assert str(to_therapist.event["DESCRIPTION"]) == description.replace("(you)", "(client)").replace(
            "(therapist)", "(you)"
        )


def test_description_names_the_other_date_when_the_day_differs() -> None:
    start = datetime(2026, 3, 31, 2, 0, tzinfo=UTC)  # 04:00 Tuesday in Berlin, 19:00 Monday in Los Angeles
    info = info_at(start, attendee_tz="America/Los_Angeles")
    received = built("confirmed", info, CLIENT, "America/Los_Angeles")
    assert str(received.event["DESCRIPTION"]) == (
        "Tue 31 Mar 2026 04:00 in Europe/Berlin (therapist) · Mon 30 Mar 2026 19:00 in America/Los_Angeles (you)"
    )
    assert "Monday 30 March 2026, 19:00–19:50 (America/Los_Angeles)" in received.text


def test_rescheduled_shows_old_and_new_time() -> None:
    old = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    info = info_at(datetime(2026, 3, 31, 8, 0, tzinfo=UTC), sequence=2)
    received = built("rescheduled", info, CLIENT, "Asia/Kolkata", previous=(old, old + timedelta(minutes=50)))
    assert "Tuesday 31 March 2026, 13:30–14:20 (Asia/Kolkata)" in received.text
    assert "It was Monday 30 March 2026, 13:30–14:20 (Asia/Kolkata)" in received.text
    assert received.calendar["METHOD"] == "REQUEST"
    assert int(received.event["SEQUENCE"]) == 2


# ---------------------------------------------------------------- the subscribable feed


def test_feed_lists_only_the_given_confirmed_sessions_and_no_client_details() -> None:
    base = datetime(2026, 4, 6, 8, 0, tzinfo=UTC)
    confirmed = [
        info_at(
            base + timedelta(days=2),
            uid="appt-2@individuate",
            attendee_email="alice@example.org",
            summary="Session with Alice Example",
        ),
        info_at(base, uid="appt-1@individuate", attendee_email="bob@example.org", location="https://video.example/r"),
    ]
    not_happening = [
        info_at(base + timedelta(days=3), uid="appt-3@individuate", status="cancelled"),
        info_at(base + timedelta(days=4), uid="appt-4@individuate", status="requested"),
    ]
    raw = feed_ics([*confirmed, *not_happening], calendar_name="Dr Weber – sessions")
    text = raw.decode()
    calendar = Calendar.from_ical(raw)

    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Dr Weber – sessions"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["appt-1@individuate", "appt-2@individuate"]
    for event, info in zip(events, sorted(confirmed, key=lambda i: i.start), strict=True):
        assert str(event["SUMMARY"]) == "Session"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event.decoded("DTSTART") == info.start
        assert event.decoded("DTEND") == info.end
    for secret in ("alice@example.org", "bob@example.org", CLIENT, "Alice", "Example", "video.example", "mailto:"):
        assert secret not in text
    assert "ATTENDEE" not in text
    assert feed_ics([], calendar_name="empty").count(b"BEGIN:VEVENT") == 0


# ---------------------------------------------------------------- nothing clinical, nothing unescaped


def test_no_clinical_words_in_any_email_or_calendar_file() -> None:
    info = info_at(datetime(2026, 3, 31, 8, 0, tzinfo=UTC))
    texts = []
    for event in EVENTS:
        for to, tz in ((CLIENT, "America/New_York"), (THERAPIST, "Europe/Berlin")):
            received = built(event, info, to, tz, manage_path="/appointments/")
            texts.append(received.everything())
    for method in ("REQUEST", "CANCEL"):
        texts.append(appointment_ics(info, method=method).decode())
    texts.append(feed_ics([info], calendar_name="Sessions").decode())
    assert len(texts) == 2 * len(EVENTS) + 3
    for text in texts:
        lowered = text.lower()
        for word in CLINICAL_WORDS:
            assert word not in lowered, (word, text)


def test_names_are_escaped_in_html_but_plain_in_text_and_subject() -> None:
    info = info_at(datetime(2026, 3, 31, 8, 0, tzinfo=UTC), therapist_name="Dr O'Brien <b>")
    received = built("confirmed", info, CLIENT, "Asia/Kolkata")
    assert received.subject == "Session with Dr O'Brien <b> confirmed"
    assert "Dr O'Brien <b>" in received.text
    assert "Dr O&#x27;Brien &lt;b&gt;" in received.html
    assert "<b>" not in received.html


def test_bad_input_is_refused() -> None:
    start = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        dataclasses.replace(info_at(start), start=datetime(2026, 3, 31, 8, 0), end=datetime(2026, 3, 31, 9, 0))
    with pytest.raises(ValueError, match="end after"):
        info_at(start, end=start)
    with pytest.raises(ValueError, match="status"):
        info_at(start, status="maybe")
    with pytest.raises(ValueError, match="method"):
        appointment_ics(info_at(start), method="PUBLISH")
    with pytest.raises(ValueError, match="event"):
        appointment_message("forgotten", info_at(start), to=CLIENT, recipient_tz="UTC")
