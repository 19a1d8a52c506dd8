"""Every page and every API operation, tried by every kind of viewer — generated from the
URL resolver and the OpenAPI schema, so a new route is covered the day it is added.

The owner plants marker strings in each kind of record. Each route (by URL name) and each
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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import connect, link, make_therapist_user, make_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.articles.models import Article, Comment
from individuate.boundaries import actions as boundaries
from individuate.boundaries.models import SCOPES, ConsentGrant, TrackedPerson
from individuate.checkins import actions as checkins
from individuate.healing import actions as healing
from individuate.measures import actions as measures
from individuate.practice import actions as practice
from individuate.practice.models import ContactRequest
from individuate.practice.tests.test_booking import _open_all_week, _slot

PAGES: dict[str, str] = {
    "home": "public",
    "crisis": "public",
    "therapists": "public",
    "public_profile": "public",
    "for_professionals": "public",
    "privacy": "public",
    "terms": "public",
    "profile_photo": "public",
    "family_never_ask": "public",
    "calendar_feed": "public",
    "family_accept": "public",
    "connection_accept": "public",
    "dashboard": "own",
    "settings": "own",
    "api_tokens": "own",
    "export": "own",
    "delete_account": "own",
    "others": "own",
    "my_therapists": "own",
    "access_log": "own",
    "clients": "own",
    "client_invite": "own",
    "measures": "own",
    "psychometrics": "own",
    "measure_start": "own",
    "checkin": "own",
    "checkin_reminder": "own",
    "checkin_history": "own",
    "contacts": "own",
    "journal": "own",
    "coupling": "own",
    "coupling_recompute": "own",
    "plan": "own",
    "plan_progress": "own",
    "scripts": "own",
    "plan_start": "own",
    "exercise_save": "own",
    "plan_step": "own",
    "goal_add": "own",
    "practice_dashboard": "own",
    "appointments": "own",
    "practice_settings": "own",
    "exception_add": "own",
    "feed_rotate": "own",
    "connection_request": "own",
    "book": "own",
    "therapist_apply": "own",
    "contact_undo": "owned",
    "journal_undo": "owned",
    # mediation: a case is reached only by its mediator and its two parents; anyone else
    # gets 404 (mediation/tests has its own matrix of parents, family, other clients and
    # therapists). Here they are tried by every viewer for leaks and 5xx.
    "cases": "own",
    "case_new": "own",
    "case": "own",
    "case_settings": "own",
    "section": "own",
    "section_preview": "own",
    "invite": "own",
    "join": "own",
    "comment": "own",
    "decide": "own",
    "agree": "own",
    "note": "own",
    "contact": "own",
    "versions": "own",
    "compare": "own",
    "pdf": "own",
    "json": "own",
    "audit": "own",
    "calendar": "own",
    "feed": "public",
    "feed_issue": "own",
    "feed_revoke": "own",
    "link_session": "own",
    "import": "own",
    "public_page_edit": "own",
    "invitation_answer": "own",  # answers the viewer's own pending invitation (404 for anyone else's)
    "api_token_revoke": "owned",
    "other_edit": "owned",
    "other_remove": "owned",
    "family_invite": "owned",
    "family_unlink": "owned",
    "scope_toggle": "owned",
    "connection_end": "owned",
    "connection_answer": "owned",
    "response_take": "owned",
    "response_answer": "owned",
    "response_support": "owned",
    "response_review": "owned",
    "response_submit": "owned",
    "response_result": "owned",
    "response_followup": "owned",
    "response_urgent": "owned",
    "checkin_edit": "owned",
    "contact_delete": "owned",
    "journal_edit": "owned",
    "journal_delete": "owned",
    "joint_consent": "owned",
    "script": "owned",
    "small_step": "owned",
    "reflection_save": "owned",
    "step_add": "owned",
    "goal_drop": "owned",
    "suggestion_answer": "owned",
    "appointment_action": "owned",
    "contact_handled": "owned",
    "shared_overview": "connection",
    "shared_records": "shared",
    "client_measures": "shared",
    "client_measures_csv": "shared",
    "client_response": "shared",
    "assignment_create": "shared",
    "assignment_end": "shared",
    "flag_seen": "shared",
    "client_plan": "shared",
    "client_suggest": "shared",
    # articles: the public side, the writer's own pages, and pages naming an article or comment
    "article_list": "public",
    "article_feed": "public",
    "article_search": "public",
    "comment_terms": "public",
    "article_tag": "public",
    "article_tag_feed": "public",
    "author_articles": "public",
    "article": "public",
    "sitemap": "public",
    "robots_txt": "public",
    "commenter_request": "public",
    "commenter_data": "public",
    "my_articles": "own",
    "article_new": "own",
    "article_preview": "own",
    "moderation_queue": "own",
    "article_edit": "owned",
    "article_autosave": "owned",
    "article_publish": "owned",
    "article_unpublish": "owned",
    "article_revisions": "owned",
    "moderation_reply": "owned",
}
# Routes of other packages (allauth, the admin, the API itself) are theirs; the API is
# covered operation by operation below.
FOREIGN = ("accounts/", "admin/", "api/", "static/")

OPERATIONS: dict[str, str] = {
    # mediation (its own matrix of case members is in mediation/tests): tried by everyone for leaks and 5xx
    "/api/mediation/cases": "own",
    "/api/mediation/cases/{case_id}": "own",
    "/api/mediation/cases/{case_id}/agreements": "own",
    "/api/mediation/cases/{case_id}/comments": "own",
    "/api/mediation/cases/{case_id}/comments/{comment_id}/decision": "own",
    "/api/mediation/cases/{case_id}/compare": "own",
    "/api/mediation/cases/{case_id}/contact": "own",
    "/api/mediation/cases/{case_id}/diff": "own",
    "/api/mediation/cases/{case_id}/hours": "own",
    "/api/mediation/cases/{case_id}/invitations": "own",
    "/api/mediation/cases/{case_id}/notes": "own",
    "/api/mediation/cases/{case_id}/notes/{note_id}": "own",
    "/api/mediation/cases/{case_id}/parenting-time": "own",
    "/api/mediation/cases/{case_id}/sections/{section}": "own",
    "/api/mediation/cases/{case_id}/versions": "own",
    "/api/mediation/cases/{case_id}/versions/{number}": "own",
    "/api/mediation/join": "own",
    "/api/mediation/parenting-time": "own",
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
    ("therapist_all", "client_suggest"),
    ("therapist_all", "assignment_create"),
    ("therapist_all", "flag_seen"),
    ("therapist_all", "assignment_end"),
    ("therapist_all", "appointment_action"),
    ("therapist_all", "connection_end"),
    ("therapist_all", "/api/appointments/{appointment_id}/cancel"),
    ("therapist_all", "/api/appointments/{appointment_id}/decline"),
    ("therapist_all", "/api/appointments/{appointment_id}/confirm"),
    ("therapist_all", "/api/connections/{connection_id}/end"),
    ("linked_parent", "joint_consent"),
    ("therapist_all", "contact_handled"),  # the therapist's own inbox (the id is not the owner's)
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
    markers |= {"goal": "MXGOAL", "script": "MXSCRIPT"}
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
    """(url name, route, [(converter, parameter)]) for every page pattern we serve."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p

    for route, pattern in walk(get_resolver().url_patterns, ""):
        if route.startswith(FOREIGN) or pattern.name is None:
            continue
        yield pattern.name, route, re.findall(r"<(?:(\w+):)?(\w+)>", route)


def _fill(route: str, params: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        kind = "int" if converter == "int" else "str"
        return str(params.get(f"{name}:{kind}", params.get(name)))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def _schema_operations() -> Iterator[tuple[str, str]]:
    schema = Client().get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield path, method


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
    operations = {path for path, _ in _schema_operations()}
    missing = sorted(operations - set(OPERATIONS))
    assert not missing, f"new API operations without an entry in OPERATIONS: {missing}"
    assert not set(PAGES) - pages and not set(OPERATIONS) - operations, "expectations for routes that are gone"


def test_every_viewer_on_every_page_and_operation(db: None) -> None:
    world = _world()
    clients = {name: _client(user) for name, user in world.viewers.items()}
    problems: list[str] = []
    seen_by_owner: set[str] = set()
    shared_seen: set[str] = set()
    targets = [(name, _fill(route, world.params), PAGES[name]) for name, route, _ in _page_routes()]
    targets += [
        (path, _fill(path.lstrip("/").replace("{", "<").replace("}", ">"), world.params), OPERATIONS[path])
        for path, method in _schema_operations()
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
        (path, method, _fill(path.lstrip("/").replace("{", "<").replace("}", ">"), world.params))
        for path, method in _schema_operations()
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
