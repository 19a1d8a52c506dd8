"""The mediator's and the parents' pages, as a person would use them."""

from __future__ import annotations

import io
import re

import icalendar
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from individuate.mediation import actions
from individuate.mediation.models import Case, Comment, FeedToken, PlanVersion


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_mediator_opens_a_case_and_invites_a_parent_who_joins(mediator, alice, django_capture_on_commit_callbacks):
    m = login(mediator)
    response = m.post(
        reverse("mediation:case_new"),
        {
            "title": "Example family",
            "parent_a": "Alex",
            "parent_b": "Sam",
            "starts": "2027-01-04",
            "child_1": "Mia",
            "born_1": "2018-05-02",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mediation:case", args=[case.pk])
    with django_capture_on_commit_callbacks(execute=True):
        m.post(reverse("mediation:invite", args=[case.pk]), {"role": "A", "email": "alice@example.com"})
    invitation = mail.outbox[-1]
    assert invitation.to == ["alice@example.com"]
    path = re.search(r"/mediation/join/[\w-]+/", invitation.body).group(0)
    a = login(alice)
    assert "as <strong>Alex</strong>" in a.get(path).content.decode()
    response = a.post(path)
    assert response.status_code == 302
    assert case.parties.get(role="A").user == alice
    assert a.get(reverse("mediation:case", args=[case.pk])).status_code == 200


def test_bad_case_input_keeps_the_form_and_creates_nothing(mediator):
    m = login(mediator)
    response = m.post(
        reverse("mediation:case_new"),
        {
            "title": "X",
            "parent_a": "Alex",
            "parent_b": "Alex",
            "starts": "1907-01-04",
            "child_1": "Mia",
            "born_1": "2018-05-02",
        },
    )
    assert response.status_code == 200
    assert Case.objects.count() == 0
    body = response.content.decode()
    assert "too far away" in body or "both parents are called" in body


def test_section_editor_saves_schedule_and_shows_live_figures(case, mediator):
    m = login(mediator)
    url = reverse("mediation:section", args=[case.pk, "regular_schedule"])
    assert m.get(url).status_code == 200
    form = {"pattern": "2-2-5-5", "starts": "2027-01-04", "first": "Alex", "cycle": "", "notes": ""}
    preview = m.post(reverse("mediation:section_preview", args=[case.pk, "regular_schedule"]), form)
    assert preview.status_code == 200 and "not saved yet" in preview.content.decode()
    bad = m.post(
        reverse("mediation:section_preview", args=[case.pk, "regular_schedule"]),
        {**form, "pattern": "custom", "cycle": "AB" * 20},
    )
    assert "the cycle has 40 nights" in bad.content.decode()
    response = m.post(url, {**form, "based_on": 1})
    assert response.status_code == 302
    assert actions.draft(case).document["regular"]["pattern"] == "2-2-5-5"


def test_holidays_from_the_common_set_and_a_bad_date(case, mediator):
    m = login(mediator)
    url = reverse("mediation:section", args=[case.pk, "holidays"])
    management = {"h-TOTAL_FORMS": "1", "h-INITIAL_FORMS": "0", "h-MIN_NUM_FORMS": "0", "h-MAX_NUM_FORMS": "40"}
    response = m.post(url, {**management, "add": ["thanksgiving", "mothers-day", "birthday:0"], "based_on": 1})
    assert response.status_code == 302
    names = [h["name"] for h in actions.draft(case).document["holidays"]]
    assert names == ["Thanksgiving", "Mother's Day", "Mia's birthday"]
    before = PlanVersion.objects.count()
    bad_row = {
        **management,
        "h-0-name": "Spring",
        "h-0-month": "4",
        "h-0-day": "31",
        "h-0-start_offset": "0",
        "h-0-nights": "1",
        "h-0-who": "every:Alex",
        "h-0-weekday": "",
        "h-0-nth": "",
    }
    response = m.post(url, {**bad_row, "based_on": 2})
    assert response.status_code == 200
    assert "April has only 30 days" in response.content.decode()
    assert PlanVersion.objects.count() == before


def test_parent_proposes_mediator_accepts_both_agree_and_download(case, mediator, alice, jordan):
    a = login(alice)
    url = reverse("mediation:section", args=[case.pk, "communication"])
    response = a.post(
        url, {"between_parents": "A shared notebook app", "reply_within_hours": "24", "comment": "This works for us."}
    )
    assert response.status_code == 302
    proposal = Comment.objects.get(status="open")
    assert actions.draft(case).number == 1  # nothing in the draft until the mediator accepts
    compare = login(mediator).get(reverse("mediation:compare", args=[case.pk]) + f"?proposal={proposal.pk}")
    assert "A shared notebook app" in compare.content.decode()
    login(mediator).post(reverse("mediation:decide", args=[case.pk, proposal.pk]), {"accept": "1"})
    draft = actions.draft(case)
    assert draft.number == 2 and draft.document["sections"]["communication"]["reply_within_hours"] == 24
    # agreeing to an outdated version is refused
    j = login(jordan)
    j.post(
        reverse("mediation:agree", args=[case.pk]),
        {"version": 1, "sha256": draft.sha256, "typed_name": "Jordan Example", "confirm": "on"},
    )
    assert not draft.agreements.exists()
    for client, name in ((a, "Alice Example"), (j, "Jordan Example")):
        client.post(
            reverse("mediation:agree", args=[case.pk]),
            {"version": 2, "sha256": draft.sha256, "typed_name": name, "confirm": "on"},
        )
    assert actions.agreed_version(case) == draft
    response = a.get(reverse("mediation:pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Both parents agreed to exactly this version" in text and draft.sha256[:16] in text
    assert "A shared notebook app" in text


def test_calendar_feed_is_private_and_revocable(case, alice):
    a = login(alice)
    a.post(reverse("mediation:feed_issue", args=[case.pk]))
    page = a.get(reverse("mediation:case", args=[case.pk])).content.decode()
    url = re.search(r"http://testserver(/mediation/feed/[\w-]+\.ics)", page).group(1)
    feed = Client().get(url)
    assert feed.status_code == 200
    events = list(icalendar.Calendar.from_ical(feed.content).walk("VEVENT"))
    assert any("with Alex" in str(e["SUMMARY"]) for e in events)
    a.post(reverse("mediation:feed_revoke", args=[case.pk]))
    assert Client().get(url).status_code == 404
    assert FeedToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_audit_csv_and_json_export(case, alice):
    a = login(alice)
    csv_text = a.get(reverse("mediation:audit", args=[case.pk]) + "?year=2027").content.decode()
    assert csv_text.splitlines()[0] == "date,weekday,parent,layer,rule"
    assert len(csv_text.splitlines()) == 366
    assert a.get(reverse("mediation:json", args=[case.pk])).json()["parents"] == ["Alex", "Sam"]


def test_comparison_names_the_change_once_and_counts_the_nights_it_does_not_list(case, mediator):
    first = actions.draft(case).number
    schedule = {"regular": {"pattern": "2-2-5-5", "starts": "2027-01-04", "first": "Alex"}}
    second = actions.save_section(mediator, case, "regular_schedule", schedule).number
    url = reverse("mediation:compare", args=[case.pk]) + f"?before={first}&after={second}&year=2027"
    page = login(mediator).get(url).content.decode()
    assert page.count("Pattern: “") == 1 and "Regular schedule: Regular schedule" not in page
    shown = re.search(r"(\d+) nights in 2027 go to the other parent", page)
    assert shown is not None and int(shown.group(1)) > 12
    assert f"and {int(shown.group(1)) - 12} more, marked on the calendar below." in page
