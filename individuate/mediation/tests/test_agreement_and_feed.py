"""After agreement: a changed plan needs agreeing again; the PDF and the feeds follow the
newest version both parents agreed to; contact details stay with their owner unless shared.

The plan starts on the Monday of this week (so the feed, which covers last year to two
years ahead, always holds it): 2-2-5-5, Alex first. A one-time change gives Alex the nights
of start + 11 and start + 12 (cycle indices 11-12, Sam's B nights, after index 10, also B).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date, timedelta

import icalendar
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from individuate.mediation import actions

from .conftest import api

JORDANS = "12 Hidden Lane, 555-0100"
ALICES = "7 Quiet Road, 555-0199"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def _start() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def _document(case, *, one_time: bool) -> dict:
    start = _start()
    doc = actions.draft(case).document | {
        "regular": {"pattern": "2-2-5-5", "starts": start.isoformat(), "first": "Alex"},
        "timezone": "Europe/Amsterdam",
        "exchange": {"time": "17:30", "place": "The library, front entrance"},
        "one_time": [{"parent": "Alex", "from": (start + timedelta(days=11)).isoformat(), "nights": 2}]
        if one_time
        else [],
    }
    return doc


def _agree_both(case, alice, jordan, number):
    for user, name in ((alice, "Alice Example"), (jordan, "Jordan Example")):
        actions.agree(user, case, number, typed_name=name)


def _pdf_text(client, case) -> str:
    response = client.get(reverse("mediation:pdf", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())


def _alex_period_starts(ics: bytes) -> set[date]:
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return {e.decoded("DTSTART").date() for e in events if str(e["SUMMARY"]).endswith("with Alex")}


def test_a_changed_plan_needs_agreeing_again_and_the_pdf_and_feed_follow_the_agreed_version(
    case, mediator, alice, jordan
):
    start = _start()
    v2 = actions.save_document(mediator, case, _document(case, one_time=True), based_on=1)
    _agree_both(case, alice, jordan, v2.number)
    assert actions.agreed_version(case) == v2

    a = login(alice)
    a.post(reverse("mediation:feed_issue", args=[case.pk]))
    page = a.get(reverse("mediation:case", args=[case.pk])).content.decode()
    feed_url = re.search(r"http://testserver(/mediation/feed/[\w-]+\.ics)", page).group(1)
    feed = Client().get(feed_url).content
    swapped = start + timedelta(days=11)
    assert swapped in _alex_period_starts(feed)  # the one-time change: Alex from the night of start + 11
    calendar = icalendar.Calendar.from_ical(feed)
    assert "draft" not in str(calendar["X-WR-CALNAME"])
    stamps = {e.decoded("DTSTAMP") for e in calendar.walk("VEVENT")}
    assert stamps == {v2.created_at.replace(microsecond=0)}

    # The mediator changes the agreed plan: a new version, which nobody has agreed to yet.
    v3 = actions.save_document(mediator, case, _document(case, one_time=False), based_on=v2.number)
    assert v3.number == v2.number + 1 and not v3.agreements.exists()
    assert actions.agreed_version(case) == v2
    # The feed and the PDF keep showing what both agreed to.
    assert swapped in _alex_period_starts(Client().get(feed_url).content)
    text = _pdf_text(a, case)
    assert f"version {v2.number}" in text and "Both parents agreed to exactly this version" in text
    # Agreeing again to the old version is refused (409), and nothing is written.
    client, auth = api(alice)
    refused = client.post(
        f"/api/mediation/cases/{case.pk}/agreements",
        data=json.dumps({"version": v2.number, "typed_name": "Alice Example"}),
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 409 and f"version {v3.number} is" in refused.json()["detail"]
    assert v2.agreements.count() == 2 and not v3.agreements.exists()
    # One parent agreeing is not enough.
    actions.agree(alice, case, v3.number, typed_name="Alice Example")
    assert actions.agreed_version(case) == v2
    actions.agree(jordan, case, v3.number, typed_name="Jordan Example")
    assert actions.agreed_version(case) == v3

    # The same feed address now shows version 3: the nights of start + 11 and 12 are Sam's again.
    updated = Client().get(feed_url).content
    assert swapped not in _alex_period_starts(updated)
    assert {e.decoded("DTSTAMP") for e in icalendar.Calendar.from_ical(updated).walk("VEVENT")} == {
        v3.created_at.replace(microsecond=0)
    }

    # The PDF of version 3 carries the fingerprint and the seal of both agreements, recomputed here.
    text = _pdf_text(a, case)
    flat = "".join(text.split())
    assert (
        v3.sha256
        == hashlib.sha256(
            json.dumps(v3.document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()
    )
    agreements = {a.party.name: a for a in v3.agreements.select_related("party")}
    sealed = {
        "plan_sha256": v3.sha256,
        "agreements": [
            {
                "parent": name,
                "typed_name": agreements[name].typed_name,
                "signed_on": agreements[name].signed_on.isoformat(),
                "sha256": agreements[name].sha256,
            }
            for name in ("Alex", "Sam")
        ],
    }
    seal = hashlib.sha256(json.dumps(sealed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert v3.sha256 in flat and seal in flat
    assert "agreedas“AliceExample”" in flat and "agreedas“JordanExample”" in flat


def test_contact_details_reach_the_other_parent_only_when_shared(case, mediator, alice, jordan):
    actions.set_contact(jordan, case, details=JORDANS, share=False)
    actions.set_contact(alice, case, details=ALICES, share=False)
    a, j = login(alice), login(jordan)
    for client in (a, j):
        client.post(reverse("mediation:feed_issue", args=[case.pk]))

    def seen_by(client, own: str, other: str) -> None:
        page = client.get(reverse("mediation:case", args=[case.pk])).content.decode()
        assert own.split(",")[0] in page  # their own details, in their own form
        pdf = _pdf_text(client, case)
        feed_url = re.search(r"http://testserver(/mediation/feed/[\w-]+\.ics)", page)
        ics = (
            Client().get(feed_url.group(1)).content.decode()
            if feed_url
            else client.get(reverse("mediation:calendar", args=[case.pk])).content.decode()
        )
        download = client.get(reverse("mediation:calendar", args=[case.pk])).content.decode()
        for secret in (other, other.split(", ")[1]):
            assert secret not in page and secret not in pdf and secret not in ics and secret not in download
        assert own not in pdf and own not in ics  # unshared: not even in one's own PDF or feed

    seen_by(a, ALICES, JORDANS)
    seen_by(j, JORDANS, ALICES)

    # Jordan shares: now in Alice's view and PDF; the feeds never carry an address.
    actions.set_contact(jordan, case, details=JORDANS, share=True)
    page = a.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert JORDANS in page and JORDANS in _pdf_text(a, case)
    assert "Hidden Lane" not in a.get(reverse("mediation:calendar", args=[case.pk])).content.decode()
    # Alice's stay hers.
    assert ALICES not in j.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert ALICES not in _pdf_text(j, case)
    # And through the API.
    client, auth = api(jordan)
    parties = client.get(f"/api/mediation/cases/{case.pk}", **auth).json()["parties"]
    assert [p["contact_details"] for p in parties] == [None, JORDANS]
