"""Every page and every API operation, tried by every kind of viewer — generated from the
URL resolver and the OpenAPI schema, so a new route is covered the day it is added.

The owner plants marker strings in each kind of record. Each route (by namespaced URL name) and each
API operation (by path) must have an entry in ``PAGES`` / ``OPERATIONS`` saying what it is:

* ``public`` — for anyone; never shows the owner's words;
* ``own`` — the viewer's own things; never shows another person's words;
* ``owned`` — takes the owner's object in the URL: others get 302/401/403/404/405;
* ``shared`` — the owner's records for a therapist they shared them with: only that
  therapist (connected, granted, two-factor on) sees them;
* ``connection`` — what any connected therapist with two-factor sees (the name, what is
  shared), and nobody else.

A route or operation missing from the expectations fails ``test_every_route_is_expected``.
Then every write (any method but GET) on a URL naming one of the owner's objects is tried
by every non-owner, and the tables are fingerprinted before and after.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import PASSWORD, connect, link, make_therapist_user, make_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.articles.models import Article, Comment
from individuate.boundaries import actions as boundaries
from individuate.boundaries.models import SCOPES, ConsentGrant, TrackedPerson
from individuate.checkins import actions as checkins
from individuate.healing import actions as healing
from individuate.measures import actions as measures
from individuate.mediation import actions as mediation
from individuate.practice import actions as practice
from individuate.practice.models import ContactRequest
from individuate.practice.tests.test_booking import _open_all_week, _slot

PAGES: dict[str, str] = {
    "core:home": "public",
    "core:crisis": "public",
    "boundaries:therapists": "public",
    "practice:public_profile": "public",
    "accounts:for_professionals": "public",
    "core:privacy": "public",
    "core:terms": "public",
    "practice:profile_photo": "public",
    "boundaries:family_never_ask": "public",
    "practice:calendar_feed": "public",
    "boundaries:family_accept": "public",
    "boundaries:connection_accept": "public",
    "portal:dashboard": "own",
    "accounts:settings": "own",
    "accounts:api_tokens": "own",
    "accounts:export": "own",
    "accounts:delete_account": "own",
    "boundaries:others": "own",
    "boundaries:my_therapists": "own",
    "boundaries:access_log": "own",
    "portal:clients": "own",
    "boundaries:client_invite": "own",
    "measures:measures": "own",
    "measures:psychometrics": "own",
    "measures:measure_start": "own",
    "checkins:checkin": "own",
    "checkins:checkin_reminder": "own",
    "checkins:checkin_history": "own",
    "checkins:contacts": "own",
    "checkins:journal": "own",
    "checkins:coupling": "own",
    "checkins:coupling_recompute": "own",
    "healing:plan": "own",
    "healing:plan_progress": "own",
    "healing:scripts": "own",
    "healing:plan_start": "own",
    "healing:exercise_save": "own",
    "healing:plan_step": "own",
    "healing:goal_add": "own",
    "portal:practice_dashboard": "own",
    "practice:appointments": "own",
    "practice:practice_settings": "own",
    "practice:exception_add": "own",
    "practice:feed_rotate": "own",
    "boundaries:connection_request": "own",
    "practice:book": "own",
    "accounts:therapist_apply": "own",
    "checkins:contact_undo": "owned",
    "checkins:journal_undo": "owned",
    # mediation: a case is reached only by its mediator and its two parents; anyone else
    # gets 404 (mediation/tests has its own matrix of parents, family, other clients and
    # therapists). Here the owner is a parent in a case whose mediator is none of the
    # viewers, so every other viewer is refused the case's pages.
    "mediation:cases": "own",
    "mediation:case_new": "own",
    "mediation:case": "owned",
    "mediation:case_settings": "owned",
    "mediation:section": "owned",
    "mediation:section_preview": "owned",
    "mediation:invite": "owned",
    "mediation:join": "own",
    "mediation:comment": "owned",
    "mediation:decide": "owned",
    "mediation:agree": "owned",
    "mediation:note": "owned",
    "mediation:contact": "owned",
    "mediation:versions": "owned",
    "mediation:compare": "owned",
    "mediation:pdf": "owned",
    "mediation:json": "owned",
    "mediation:audit": "owned",
    "mediation:calendar": "owned",
    "mediation:feed": "public",
    "mediation:feed_issue": "owned",
    "mediation:feed_revoke": "owned",
    "mediation:link_session": "owned",
    "mediation:import": "owned",
    "practice:public_page_edit": "own",
    "boundaries:invitation_answer": "own",  # answers the viewer's own pending invitation (404 for anyone else's)
    "accounts:api_token_revoke": "owned",
    "boundaries:other_edit": "owned",
    "boundaries:other_remove": "owned",
    "boundaries:family_invite": "owned",
    "boundaries:family_unlink": "owned",
    "boundaries:scope_toggle": "owned",
    "boundaries:connection_end": "owned",
    "boundaries:connection_answer": "owned",
    "measures:response_take": "owned",
    "measures:response_answer": "owned",
    "measures:response_support": "owned",
    "measures:response_review": "owned",
    "measures:response_submit": "owned",
    "measures:response_result": "owned",
    "measures:response_followup": "owned",
    "measures:response_urgent": "owned",
    "checkins:checkin_edit": "owned",
    "checkins:contact_delete": "owned",
    "checkins:journal_edit": "owned",
    "checkins:journal_delete": "owned",
    "checkins:joint_consent": "owned",
    "healing:script": "owned",
    "healing:small_step": "owned",
    "healing:reflection_save": "owned",
    "healing:step_add": "owned",
    "healing:goal_drop": "owned",
    "healing:suggestion_answer": "owned",
    "practice:appointment_action": "owned",
    "practice:contact_handled": "owned",
    "boundaries:shared_overview": "connection",
    "boundaries:shared_records": "shared",
    "measures:client_measures": "shared",
    "measures:client_measures_csv": "shared",
    "measures:client_response": "shared",
    "measures:assignment_create": "shared",
    "measures:assignment_end": "shared",
    "measures:flag_seen": "shared",
    "healing:client_plan": "shared",
    "healing:client_suggest": "shared",
    # articles: the public side, the writer's own pages, and pages naming an article or comment
    "articles:article_list": "public",
    "articles:article_feed": "public",
    "articles:article_search": "public",
    "articles:comment_terms": "public",
    "articles:article_tag": "public",
    "articles:article_tag_feed": "public",
    "articles:author_articles": "public",
    "articles:article": "public",
    "articles:sitemap": "public",
    "articles:robots_txt": "public",
    "articles:commenter_request": "public",
    "articles:commenter_data": "public",
    "articles:my_articles": "own",
    "articles:article_new": "own",
    "articles:article_preview": "own",
    "articles:moderation_queue": "own",
    "articles:article_edit": "owned",
    "articles:article_autosave": "owned",
    "articles:article_publish": "owned",
    "articles:article_unpublish": "owned",
    "articles:article_revisions": "owned",
    "articles:moderation_reply": "owned",
}
# Routes of other packages (allauth, the admin, the API itself) are theirs; the API is
# covered operation by operation below.
FOREIGN = ("accounts/", "admin/", "api/", "static/")

OPERATIONS: dict[str, str] = {
    # mediation (its own matrix of case members is in mediation/tests): the owner's case is theirs
    "/api/mediation/cases": "own",
    "/api/mediation/join": "own",
    "/api/mediation/parenting-time": "own",
    "/api/mediation/cases/{case_id}": "owned",
    "/api/mediation/cases/{case_id}/agreements": "owned",
    "/api/mediation/cases/{case_id}/comments": "owned",
    "/api/mediation/cases/{case_id}/comments/{comment_id}/decision": "owned",
    "/api/mediation/cases/{case_id}/compare": "owned",
    "/api/mediation/cases/{case_id}/contact": "owned",
    "/api/mediation/cases/{case_id}/diff": "owned",
    "/api/mediation/cases/{case_id}/hours": "owned",
    "/api/mediation/cases/{case_id}/invitations": "owned",
    "/api/mediation/cases/{case_id}/notes": "owned",
    "/api/mediation/cases/{case_id}/notes/{note_id}": "owned",
    "/api/mediation/cases/{case_id}/parenting-time": "owned",
    "/api/mediation/cases/{case_id}/sections/{section}": "owned",
    "/api/mediation/cases/{case_id}/versions": "owned",
    "/api/mediation/cases/{case_id}/versions/{number}": "owned",
    # plans (healing)
    "/api/plans": "own",
    "/api/plan": "own",
    "/api/plans/{plan_id}/start": "own",
    "/api/plans/{plan_id}/exercises/{exercise_id}": "own",
    "/api/plans/{plan_id}/steps/{step_id}/goals": "own",
    "/api/plan/goals/{goal_id}/drop": "owned",
    "/api/plan/goals/{goal_id}/steps": "owned",
    "/api/plan/steps/{step_id}/reschedule": "owned",
    "/api/plan/steps/{step_id}/repeat": "owned",
    "/api/plan/steps/{step_id}/drop": "owned",
    "/api/plan/steps/{step_id}/reflection": "owned",
    "/api/plan/steps/{step_id}/complete": "owned",
    "/api/plan/scripts": "own",
    "/api/plan/scripts/{script_id}": "owned",
    "/api/plan/suggestions": "own",
    "/api/plan/suggestions/{suggestion_id}": "owned",
    "/api/clients/{client_id}/plan": "shared",
    "/api/clients/{client_id}/plan/suggestions": "shared",
    # measures, the therapist's side
    "/api/clients/{client_id}/responses": "shared",
    "/api/clients/{client_id}/flags": "shared",
    "/api/clients/{client_id}/flags/{flag_id}/seen": "shared",
    "/api/clients/{client_id}/assignments": "shared",
    "/api/clients/{client_id}/assignments/{assignment_id}": "shared",
    "/api/me": "own",
    "/api/me/export-token": "own",
    "/api/me/export": "own",
    "/api/others": "own",
    "/api/others/{other_id}": "owned",
    "/api/others/{other_id}/invite": "owned",
    "/api/others/{other_id}/unlink": "owned",
    "/api/family-invitations/{token}/accept": "public",
    "/api/family-invitations/{token}/decline": "public",
    "/api/connections": "own",
    "/api/connections/invite": "own",
    "/api/connections/{connection_id}/answer": "owned",
    "/api/connections/{connection_id}/end": "owned",
    "/api/connection-invitations/{token}/accept": "public",
    "/api/connection-invitations/{token}/decline": "public",
    "/api/connections/{connection_id}/grants": "owned",
    "/api/connections/{connection_id}/grants/{scope}": "owned",
    "/api/access-log": "own",
    "/api/people/{owner_id}/profile": "connection",
    "/api/people/{owner_id}/records/{kind}": "shared",
    "/api/instruments": "public",
    "/api/instruments/{instrument_id}": "public",
    "/api/responses": "own",
    "/api/responses/{response_id}": "owned",
    "/api/responses/{response_id}/answers": "owned",
    "/api/responses/{response_id}/submit": "owned",
    "/api/checkins": "own",
    "/api/checkins/{checkin_id}": "owned",
    "/api/contacts": "own",
    "/api/journal": "own",
    "/api/journal/{entry_id}": "owned",
    "/api/coupling": "own",
    "/api/therapists/{therapist_id}/availability": "own",
    "/api/therapists/{therapist_id}/slots": "own",
    "/api/appointments": "own",
    "/api/appointments/{appointment_id}/confirm": "owned",
    "/api/appointments/{appointment_id}/decline": "owned",
    "/api/appointments/{appointment_id}/cancel": "owned",
    "/api/appointments/{appointment_id}/reschedule": "owned",
    "/api/articles": "public",
    "/api/articles/{slug}": "public",
    "/api/articles/{slug}/comments": "public",
    "/api/my/articles": "own",
    "/api/my/comments": "own",
    "/api/my/comments/moderate": "own",
    "/api/my/articles/{article_id}": "owned",
    "/api/my/articles/{article_id}/publish": "owned",
    "/api/my/articles/{article_id}/unpublish": "owned",
    "/api/my/comments/{comment_id}/reply": "owned",
}

VIEWERS = [
    "owner",
    "linked_parent",
    "linked_child",
    "stranger",
    "second_family",
    "anonymous",
    "therapist_all",
    "therapist_no_grant",
    "therapist_revoked",
    "therapist_no_mfa",
    "therapist_unconnected",
    "therapist_ended",
]
# Connected therapists with two-factor see the client's name (not their words) everywhere.
SEES_NAME = {"therapist_all", "therapist_no_grant", "therapist_revoked"}
DENIED = {302, 401, 403, 404, 405}
# Writes a non-owner may make on a URL naming the owner's things (their own side of it).
ALLOWED_WRITES = {
    ("therapist_all", "healing:client_suggest"),
    ("therapist_all", "measures:assignment_create"),
    ("therapist_all", "measures:flag_seen"),
    ("therapist_all", "measures:assignment_end"),
    ("therapist_all", "practice:appointment_action"),
    ("therapist_all", "boundaries:connection_end"),
    ("therapist_all", "/api/appointments/{appointment_id}/cancel"),
    ("therapist_all", "/api/appointments/{appointment_id}/decline"),
    ("therapist_all", "/api/appointments/{appointment_id}/confirm"),
    ("therapist_all", "/api/connections/{connection_id}/end"),
    ("linked_parent", "checkins:joint_consent"),
    ("therapist_all", "practice:contact_handled"),  # the therapist's own inbox (the id is not the owner's)
}
# What changes on any request and holds no record of the owner's: logs, sessions, counters, the queue.
UNFINGERPRINTED = {
    "django_session",
    "boundaries_accessevent",
    "core_limitevent",
    "core_limitkey",
    "core_outgoingemail",
    "django_tasks_db_dbtaskresult",
    "accounts_auditevent",
    "django_admin_log",
    "accounts_apitoken",
}


@dataclass
class World:
    viewers: dict[str, User | None]
    params: dict[str, Any]
    markers: dict[str, str]  # kind -> marker
    owner: User


def _world() -> World:
    owner = make_user("mx.owner@example.com", "MXNAME Owner", perspective="adult_child")
    markers = {"name": "MXNAME"}
    mum = make_user("mx.parent@example.com", "Parent")
    kid = make_user("mx.child@example.com", "Child")
    mother = TrackedPerson.objects.create(owner=owner, name="MXOTHER mum", role="parent")
    markers["other"] = "MXOTHER"
    son = TrackedPerson.objects.create(owner=owner, name="my son", role="child")
    family_link = link(owner, mother, mum, TrackedPerson.objects.create(owner=mum, name="my child", role="child"))
    link(owner, son, kid, TrackedPerson.objects.create(owner=kid, name="my parent", role="parent"))
    second_a, second_b = make_user("mx.fam.a@example.com"), make_user("mx.fam.b@example.com")
    link(
        second_a,
        TrackedPerson.objects.create(owner=second_a, name="b", role="parent"),
        second_b,
        TrackedPerson.objects.create(owner=second_b, name="a", role="child"),
    )
    t_all = make_therapist_user("mx.t.all@example.com", "Dr. All")
    t_none = make_therapist_user("mx.t.none@example.com", "Dr. None")
    t_rev = make_therapist_user("mx.t.rev@example.com", "Dr. Revoked")
    t_nomfa = make_therapist_user("mx.t.nomfa@example.com", "Dr. NoMFA", mfa=False)
    t_out = make_therapist_user("mx.t.out@example.com", "Dr. Out")
    t_end = make_therapist_user("mx.t.end@example.com", "Dr. Ended")
    scopes = tuple(SCOPES)
    conn = connect(t_all, owner, scopes)
    connect(t_none, owner)
    connect(t_rev, owner, scopes)
    ConsentGrant.objects.filter(connection__therapist=t_rev).update(revoked_at=timezone.now())
    connect(t_nomfa, owner, scopes)
    ended = connect(t_end, owner, scopes)
    boundaries.end_connection(owner, ended.pk)

    checkin = checkins.save_checkin(
        owner, mood=2, guilt=5, anger=3, anxiety=4, perceived={mother.pk: 2}, note="MXCHECKIN"
    )
    contact = checkins.add_contact(
        owner, other_id=mother.pk, kind="call", response="declined", guilt_after=4, note="MXCONTACT"
    )
    entry = checkins.save_journal(owner, text="MXJOURNAL today")
    markers |= {"checkin": "MXCHECKIN", "contact": "MXCONTACT", "journal": "MXJOURNAL"}
    plan = healing.default_plan_for(owner)
    healing.start_plan(owner, plan)
    step = healing.get_plan(plan).steps[0].id
    goal = healing.add_goal(owner, plan, step, "MXGOAL less calls")
    script = healing.save_script(owner, title="MXSCRIPT no thanks")
    small = healing.add_small_step(owner, goal.pk, "Let it ring", timezone.localdate() + timedelta(days=1))
    exercise = healing.get_plan(plan).steps[0].exercises[0].id
    healing.save_exercise(owner, plan, exercise, "MXEXERCISE my answer")
    markers |= {"goal": "MXGOAL", "script": "MXSCRIPT", "exercise": "MXEXERCISE"}
    # A mediation case the owner is parent A of; its mediator is none of the viewers.
    mediator = make_therapist_user("mx.mediator@example.com", "Dr. Mediator")
    case = mediation.open_case(
        mediator,
        title="MXCASE family",
        parent_a="Alex",
        parent_b="Other parent",
        children=[("Kid", date(2018, 5, 2))],
        starts=timezone.localdate() + timedelta(days=7),
    )
    _, invitation = mediation.invite_parent(mediator, case, "A", owner.email)
    mediation.join_case(owner, invitation)
    mediation.comment(owner, case, "decision_making", "MXMEDCOMMENT about weekends")
    note = mediation.add_private_note(owner, case, "MXMEDNOTE for the mediator")
    markers |= {"case": "MXCASE", "case_comment": "MXMEDCOMMENT", "case_note": "MXMEDNOTE"}
    suggestion = healing.suggest_step(t_all, owner.pk, step, "A suggested step")
    response = measures.start_response(owner, "phq9")
    assignment = measures.assign(t_all, owner.pk, "gad7", "once", timezone.localdate() + timedelta(days=3))
    _open_all_week(t_all, instant=True)
    appointment = practice.book(owner, t_all.pk, _slot(days=4))
    token, _ = issue_api_token(owner, "laptop")
    request = ContactRequest.objects.create(therapist=t_all, name="Kim", email="k@example.com", message="hi")
    # A site article (no author): only the operator manages it, so every viewer here is refused.
    article = Article.objects.create(title="MX article", slug="mx-article", status="published", body="x")
    comment = Comment.objects.create(article=article, name="N", email="n@example.com", body="x", status="pending")
    params = {
        "article_id": article.pk,
        "comment_id": comment.pk,
        "author_id": t_all.pk,
        "tag": "mx-tag",
        "other_id": mother.pk,
        "token_id": token.pk,
        "token": "not-a-real-token",
        "therapist_id": t_all.pk,
        "connection_id": conn.pk,
        "scope": "journal",
        "owner_id": owner.pk,
        "client_id": owner.pk,
        "kind": "journal",
        "instrument_id": "phq9",
        "response_id": response.pk,
        "assignment_id": assignment.pk,
        "flag_id": 999_999,
        "checkin_id": checkin.pk,
        "contact_id": contact.pk,
        "entry_id": entry.pk,
        "link_id": family_link.pk,
        "script_id": script.pk,
        "step_id:int": small.pk,
        "step_id:str": step,
        "goal_id": goal.pk,
        "suggestion_id": suggestion.pk,
        "plan_id": plan,
        "slug": practice.profile_of(t_all).slug,
        "appointment_id": appointment.pk,
        "action": "cancel",
        "request_id": request.pk,
        "exercise_id": exercise,
        "case_id": case.pk,
        "note_id": note.pk,
        "section": "decision_making",
        "key": "decision_making",
        "number": 1,
    }
    viewers: dict[str, User | None] = {
        "owner": owner,
        "linked_parent": mum,
        "linked_child": kid,
        "stranger": make_user("mx.stranger@example.com"),
        "second_family": second_a,
        "anonymous": None,
        "therapist_all": t_all,
        "therapist_no_grant": t_none,
        "therapist_revoked": t_rev,
        "therapist_no_mfa": t_nomfa,
        "therapist_unconnected": t_out,
        "therapist_ended": t_end,
    }
    return World(viewers, params, markers, owner)


def _page_routes() -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
    """(namespaced url name, route, [(converter, parameter)]) for every page pattern we serve."""

    def walk(patterns: list[Any], prefix: str, ns: str) -> Iterator[tuple[str, str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(
                    p.url_patterns, prefix + str(p.pattern), ns + (f"{p.namespace}:" if p.namespace else "")
                )
            else:
                yield prefix + str(p.pattern), ns, p

    for route, ns, pattern in walk(get_resolver().url_patterns, "", ""):
        if route.startswith(FOREIGN) or pattern.name is None:
            continue
        yield ns + pattern.name, route, re.findall(r"<(?:(\w+):)?(\w+)>", route)


def _fill(route: str, params: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        kind = "int" if converter == "int" else "str"
        return str(params.get(f"{name}:{kind}", params.get(name)))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


QUERY_EXAMPLES = {"integer": "1", "date": "2030-01-07", "date-time": "2030-01-07T10:00:00Z"}


def _schema_operations() -> Iterator[tuple[str, str, str]]:
    """(path, method, the path as a Django route: each parameter typed as the schema types it)."""
    schema = Client().get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            route, query = path.lstrip("/"), {}
            for parameter in operation.get("parameters", []):
                name, kind = parameter["name"], parameter.get("schema", {})
                if parameter["in"] == "path":
                    converter = "int" if kind.get("type") == "integer" else "str"
                    route = route.replace("{" + name + "}", f"<{converter}:{name}>")
                elif parameter.get("required"):  # a value of the right type, so the check is reached
                    query[name] = QUERY_EXAMPLES.get(kind.get("format") or kind.get("type"), "x")
            yield path, method, route + (f"?{urlencode(query)}" if query else "")


def _parameters_without_a_value(params: dict[str, Any]) -> list[str]:
    """Route parameters the world has no value for: such a route would be tried with "None"
    and refused to everyone, proving nothing."""
    routes = [(name, route) for name, route, _ in _page_routes()]
    routes += [(f"{method.upper()} {path}", route) for path, method, route in _schema_operations()]
    missing = []
    for name, route in routes:
        for converter, parameter in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            kind = "int" if converter == "int" else "str"
            if f"{parameter}:{kind}" not in params and parameter not in params:
                missing.append(f"{name}: {parameter}")
    return missing


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _allowed_markers(viewer: str, category: str, markers: dict[str, str]) -> set[str]:
    if viewer == "owner":
        return set(markers.values())
    allowed = {markers["name"]} if viewer in SEES_NAME else set()
    if viewer == "therapist_all" and category == "shared":
        allowed |= set(markers.values())
    return allowed


def test_every_route_is_expected(db: None) -> None:
    pages = {name for name, _, _ in _page_routes()}
    missing = sorted(pages - set(PAGES))
    assert not missing, f"new pages without an entry in PAGES (say who may see them): {missing}"
    operations = {path for path, _, _ in _schema_operations()}
    missing = sorted(operations - set(OPERATIONS))
    assert not missing, f"new API operations without an entry in OPERATIONS: {missing}"
    assert not set(PAGES) - pages and not set(OPERATIONS) - operations, "expectations for routes that are gone"
    missing = _parameters_without_a_value(_world().params)
    assert not missing, f"route parameters without a value in the world's params (add one): {missing}"


def test_every_viewer_on_every_page_and_operation(db: None) -> None:
    world = _world()
    clients = {name: _client(user) for name, user in world.viewers.items()}
    problems: list[str] = []
    seen_by_owner: set[str] = set()
    shared_seen: set[str] = set()
    targets = [(name, _fill(route, world.params), PAGES[name]) for name, route, _ in _page_routes()]
    targets += [
        (path, _fill(route, world.params), OPERATIONS[path])
        for path, method, route in _schema_operations()
        if method == "get"
    ]
    targets = list(dict.fromkeys(targets))
    for _name, url, category in targets:
        for viewer, client in clients.items():
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
            text = body.decode("utf-8", "replace")
            if response.status_code >= 500:
                problems.append(f"{viewer} GET {url}: {response.status_code}")
            if viewer == "owner":
                seen_by_owner |= {m for m in world.markers.values() if m in text}
                continue
            if viewer == "therapist_all" and category == "shared":
                shared_seen |= {m for m in world.markers.values() if m in text}
            leaked = {m for m in world.markers.values() if m in text} - _allowed_markers(
                viewer, category, world.markers
            )
            if leaked:
                problems.append(f"{viewer} GET {url} ({category}) shows {sorted(leaked)}")
            may_read = (category == "shared" and viewer == "therapist_all") or (
                category == "connection" and viewer in SEES_NAME
            )
            if category in ("owned", "shared", "connection") and not may_read and response.status_code not in DENIED:
                problems.append(f"{viewer} GET {url} ({category}): {response.status_code}, expected one of {DENIED}")
    # Every viewer's own data export (the zip the settings page and the API hand out).
    for viewer, client in clients.items():
        if viewer == "anonymous":
            continue
        token = client.post("/api/me/export-token", {"password": PASSWORD}, content_type="application/json")
        assert token.status_code == 201, (viewer, token.content)
        download = client.get("/api/me/export", {"token": token.json()["token"]})
        assert download.status_code == 200, (viewer, download.content[:200])
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        if viewer == "owner":
            assert set(world.markers.values()) <= {m for m in world.markers.values() if m in text}, (
                "the owner's export holds everything they wrote"
            )
            continue
        leaked = {m for m in world.markers.values() if m in text} - _allowed_markers(viewer, "own", world.markers)
        if leaked:
            problems.append(f"{viewer}'s own data export shows {sorted(leaked)}")
    assert seen_by_owner == set(world.markers.values()), "the planted strings are shown to their owner"
    assert world.markers["journal"] in shared_seen, "the therapist the journal is shared with reads it"
    assert not problems, "\n".join(problems)


def _fingerprint() -> dict[str, str]:
    prints = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in UNFINGERPRINTED:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            prints[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return prints


GENERIC_FORM = {
    "name": "x",
    "role": "parent",
    "email": "x@example.com",
    "text": "x",
    "reason": "x",
    "decision": "accept",
    "accept": "1",
    "action": "drop",
    "confirm": "DELETE",
    "title": "x",
    "planned_on": "2030-01-01",
    "instrument": "gad7",
    "recurrence": "once",
    "starts_on": "2030-01-01",
    "opted_in": "on",
    "note": "x",
    "mood": "3",
    "guilt": "3",
    "anger": "3",
    "anxiety": "3",
    "answers": "{}",
    "how_it_went": "x",
    "done": "1",
}
GENERIC_JSON = {
    "name": "x",
    "role": "parent",
    "email": "x@example.com",
    "text": "x",
    "reason": "x",
    "accept": True,
    "scope": "journal",
    "mood": 3,
    "guilt": 3,
    "anger": 3,
    "anxiety": 3,
    "answers": {},
    "start": "2030-01-01T10:00:00Z",
    "new_name": "x",
    "new_role": "parent",
}


@pytest.mark.django_db
def test_no_non_owner_write_changes_anything() -> None:
    world = _world()
    clients = {name: _client(user) for name, user in world.viewers.items() if name != "owner"}
    # Routes that name one of the owner's things (the rest act on the viewer's own).
    naming = ("owned", "shared", "connection")
    writes = [(name, "post", _fill(route, world.params)) for name, route, _ in _page_routes() if PAGES[name] in naming]
    writes += [
        (path, method, _fill(route, world.params))
        for path, method, route in _schema_operations()
        if method != "get" and OPERATIONS[path] in naming
    ]
    problems = []
    for name, method, url in writes:
        for viewer, client in clients.items():
            before = _fingerprint()
            if url.startswith("/api/"):
                response = getattr(client, method)(url, GENERIC_JSON, content_type="application/json")
            else:
                response = client.post(url, GENERIC_FORM)
            if response.status_code >= 500:
                problems.append(f"{viewer} {method.upper()} {url}: {response.status_code}")
            changed = sorted(t for t, h in _fingerprint().items() if before.get(t) != h)
            if changed and (viewer, name) not in ALLOWED_WRITES:
                problems.append(f"{viewer} {method.upper()} {url} changed {changed}")
    assert not problems, "\n".join(problems)
