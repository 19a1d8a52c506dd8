from __future__ import annotations

import json

from individuate.boundaries.models import AccessEvent
from individuate.mediation.models import Agreement, PlanVersion

from .conftest import api
from .test_schedule import ISSUE_EXAMPLE


def post(client, auth, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **auth)


def test_mediator_opens_a_case_through_the_api(mediator):
    client, auth = api(mediator)
    response = post(
        client,
        auth,
        "/api/mediation/cases",
        {
            "title": "Rivera family",
            "parent_a": "Dana",
            "parent_b": "Kim",
            "starts": "2027-01-04",
            "children": [{"first_name": "Ola", "birth_date": "2019-03-01"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["your_role"] == "mediator" and body["draft_version"] == 1
    assert [p["name"] for p in body["parties"]] == ["Dana", "Kim"]


def test_whole_flow_versions_proposal_agreement(case, mediator, alice, jordan):
    m, m_auth = api(mediator)
    doc = dict(ISSUE_EXAMPLE)
    response = post(m, m_auth, f"/api/mediation/cases/{case.pk}/versions", {"document": doc, "based_on": 1})
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    # a stale editor is told, and nothing is written
    response = post(
        m, m_auth, f"/api/mediation/cases/{case.pk}/versions", {"document": {**doc, "title": "x"}, "based_on": 1}
    )
    assert response.status_code == 409
    assert PlanVersion.objects.filter(case=case).count() == 2

    a, a_auth = api(alice)
    proposal = {"regular": {"pattern": "3-4-4-3", "starts": "2027-01-04", "first": "Alex"}}
    response = post(
        a,
        a_auth,
        f"/api/mediation/cases/{case.pk}/comments",
        {"section": "regular_schedule", "text": "The long stretches are hard for Leo.", "proposal": proposal},
    )
    assert response.status_code == 201, response.content
    proposal_id = response.json()["id"]
    response = post(a, a_auth, f"/api/mediation/cases/{case.pk}/comments/{proposal_id}/decision", {"accept": True})
    assert response.status_code == 403
    response = post(m, m_auth, f"/api/mediation/cases/{case.pk}/comments/{proposal_id}/decision", {"accept": True})
    assert response.status_code == 200 and response.json()["status"] == "accepted"

    diff = m.get(f"/api/mediation/cases/{case.pk}/diff?before=2&after=3", **m_auth).json()
    assert [c["text"] for c in diff] == ["Pattern: “2-2-5-5” → “3-4-4-3”"]

    j, j_auth = api(jordan)
    response = post(
        j, j_auth, f"/api/mediation/cases/{case.pk}/agreements", {"version": 2, "typed_name": "Jordan Example"}
    )
    assert response.status_code == 409 and "version 3 is" in response.json()["detail"]
    for client, auth, name in ((a, a_auth, "Alice Example"), (j, j_auth, "Jordan Example")):
        response = post(client, auth, f"/api/mediation/cases/{case.pk}/agreements", {"version": 3, "typed_name": name})
        assert response.status_code == 201, response.content
    assert Agreement.objects.filter(version__number=3).count() == 2
    assert a.get(f"/api/mediation/cases/{case.pk}", **a_auth).json()["agreed_version"] == 3

    figures = a.get(f"/api/mediation/cases/{case.pk}/parenting-time?from=2027-01-04&to=2027-01-18", **a_auth)
    assert figures.status_code == 200, figures.content
    # 3-4-4-3 over one cycle: 7 and 7, changes AAA|BBBB|AAAA|BBB = 3
    assert figures.json()["parents"] == {
        "Alex": {"overnights": 7, "percent": 50.0},
        "Sam": {"overnights": 7, "percent": 50.0},
    }
    assert figures.json()["exchanges"] == 3 and figures.json()["from"] == "2027-01-04"
    assert AccessEvent.objects.filter(owner=jordan, viewer=alice, kind="mediation_plan", allowed=True).exists()


def test_invalid_input_changes_nothing(case, mediator):
    m, auth = api(mediator)
    bad = {**ISSUE_EXAMPLE, "regular": {"pattern": "2-2-4", "starts": "2027-01-04"}}
    response = post(m, auth, f"/api/mediation/cases/{case.pk}/versions", {"document": bad})
    assert response.status_code == 422 and "unknown pattern" in response.json()["detail"]
    response = post(
        m, auth, f"/api/mediation/cases/{case.pk}/versions", {"document": {**ISSUE_EXAMPLE, "parents": ["Alex", "Jo"]}}
    )
    assert response.status_code == 422
    response = m.get(f"/api/mediation/cases/{case.pk}/parenting-time?from=2027-02-01&to=2027-01-01", **auth)
    assert response.status_code == 422
    assert PlanVersion.objects.filter(case=case).count() == 1


def test_stateless_parenting_time(alice):
    client, auth = api(alice)
    response = post(
        client,
        auth,
        "/api/mediation/parenting-time",
        {"document": ISSUE_EXAMPLE, "from": "2027-01-01", "to": "2028-01-01"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["parents"]["Alex"] == {"overnights": 174, "percent": 47.7}
    bad = {**ISSUE_EXAMPLE, "holidays": [{"name": "x", "date": {"month": 4, "day": 31}, "every_year": "Sam"}]}
    response = post(
        client, auth, "/api/mediation/parenting-time", {"document": bad, "from": "2027-01-01", "to": "2028-01-01"}
    )
    assert response.status_code == 422 and "April has only 30 days" in response.json()["detail"]


def test_openapi_lists_the_mediation_operations(alice):
    schema = api(alice)[0].get("/api/openapi.json").json()
    assert "/api/mediation/cases/{case_id}/agreements" in schema["paths"]
    assert "/api/mediation/cases/{case_id}/parenting-time" in schema["paths"]
