from __future__ import annotations

import copy
import hashlib
import io
import json
from datetime import date

from pypdf import PdfReader

from individuate.mediation import plan_document
from individuate.mediation.holidays import holiday_rule
from individuate.mediation.pdf import Signature, render_pdf

from .test_schedule import ISSUE_EXAMPLE


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_agreed_plan_pdf_has_sections_schedule_calendar_figures_and_both_agreements():
    doc = copy.deepcopy(ISSUE_EXAMPLE)
    doc["title"] = "Parenting plan for Mia and Leo"
    doc["children"] = [{"name": "Mia", "born": "2018-05-02"}, {"name": "Leo"}]
    doc["holidays"].append(holiday_rule("mothers-day", doc["parents"]))
    doc["sections"] = {"communication": {"between_parents": "A shared notebook app, replies within a day."}}
    pdf = render_pdf(
        doc,
        year=2027,
        mediator="Dr. Robin Vale",
        signatures=[
            Signature("Sam", "Sam Example", date(2027, 1, 3), "account sam", plan_document.sha256(doc)),
            Signature("Alex", "Alex Example", date(2027, 1, 2), "account alex", plan_document.sha256(doc)),
        ],
        shared_contacts={"Sam": "sam-shared@example.invalid"},
    )
    assert pdf.startswith(b"%PDF")
    pages = pages_text(pdf)
    text = "\n".join(pages)
    assert len(pages) >= 3
    assert "Parenting plan for Mia and Leo" in pages[0]
    assert "2-2-5-5" in text and "14 nights" in text
    assert "Thanksgiving" in text and "Mother's Day" in text
    assert "A shared notebook app" in text
    # test_issue_example_over_2027 plus the night before Mother's Day (8 May = day 124 = index 12, Sam's)
    assert "2027 (365 nights) 175 47.9 % 190 52.1 %" in text  # 174 + Mother's Eve (a Sam night)
    assert "Calendar 2027" in text and "December 2027" in text
    assert plan_document.sha256(doc) in text.replace("\n", "")
    flowing = " ".join(text.split())
    assert "agreed as “Alex Example” on 2 January 2027" in flowing
    assert "agreed as “Sam Example” on 3 January 2027" in flowing
    assert "Both parents agreed to exactly this version" in text
    assert "sam-shared@example.invalid" in text
    # The seal: SHA-256 of the canonical JSON of the fingerprint and both agreements (in the
    # plan's parent order, whatever order they were signed in), recomputed here by hand.
    fingerprint = hashlib.sha256(
        json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    sealed = {
        "agreements": [
            {"parent": "Alex", "sha256": fingerprint, "signed_on": "2027-01-02", "typed_name": "Alex Example"},
            {"parent": "Sam", "sha256": fingerprint, "signed_on": "2027-01-03", "typed_name": "Sam Example"},
        ],
        "plan_sha256": fingerprint,
    }
    seal = hashlib.sha256(json.dumps(sealed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    unbroken = text.replace("\n", "")
    assert "Seal of this plan and both agreements" in flowing
    assert seal in unbroken
    assert "".join(text.split()).count(f"boundtoSHA-256{fingerprint}") == 2


def test_draft_pdf_says_it_is_not_agreed_and_shows_no_contact_details():
    pdf = render_pdf(ISSUE_EXAMPLE, year=2027)
    text = "\n".join(pages_text(pdf))
    assert "has not been agreed" in text
    assert "signature and date" in text
    assert "Seal of this plan" not in text
    assert "@" not in text


def test_an_agreement_bound_to_another_fingerprint_is_not_shown_as_agreed():
    pdf = render_pdf(
        ISSUE_EXAMPLE,
        year=2027,
        signatures=[
            Signature("Alex", "Alex Example", date(2027, 1, 2), "account", plan_document.sha256(ISSUE_EXAMPLE)),
            Signature("Sam", "Sam Example", date(2027, 1, 3), "account", "0" * 64),
        ],
    )
    text = "\n".join(pages_text(pdf))
    assert "has not been agreed" in text and "Seal of this plan" not in text
