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
by every non-owner, and the tables are fingerprinted before and after. And every write at all,
the viewer's own endpoints too, is tried by every non-owner with the owner's ids in its body
(from the request schema and the forms the pages render): none may change one of the owner's
rows or make a row point at one, unless ``ALLOWED_WRITES`` says why.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from conftest import PASSWORD, connect, link, make_therapist_user, make_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.articles.models import Article, Comment
from individuate.boundaries import actions as boundaries
from individuate.boundaries.models import SCOPES, ConsentGrant, TrackedPerson
from individuate.checkins import actions as checkins
from individuate.core.models import LimitEvent
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
    "articles:article_autosave_new": "own",
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
# Writes a non-owner may make on the owner's things (their own side of them), and why: these may
# change the owner's rows and add rows that reference them.
ALLOWED_WRITES: dict[tuple[str, str], str] = {
    ("therapist_all", "healing:client_suggest"): "suggests a step in the plan the client shares",
    ("therapist_all", "measures:assignment_create"): "assigns a measure to their client",
    ("therapist_all", "measures:flag_seen"): "marks their client's flag seen",
    ("therapist_all", "measures:assignment_end"): "ends an assignment they made",
    ("therapist_all", "practice:appointment_action"): "the therapist's side of the appointment",
    ("therapist_all", "boundaries:connection_end"): "either side may end a connection",
    ("therapist_all", "/api/appointments/{appointment_id}/cancel"): "the therapist's side of the appointment",
    ("therapist_all", "/api/appointments/{appointment_id}/decline"): "the therapist's side of the appointment",
    ("therapist_all", "/api/appointments/{appointment_id}/confirm"): "the therapist's side of the appointment",
    ("therapist_all", "/api/connections/{connection_id}/end"): "either side may end a connection",
    ("linked_parent", "checkins:joint_consent"): "the other person's own consent to the joint report",
    ("therapist_all", "practice:contact_handled"): "the therapist's own inbox (the id is not the owner's)",
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
    own_params: dict[str, dict[str, Any]]  # viewer -> ids of the viewer's own things


def _plan_records(user: User, goal_text: str, script_title: str, step_text: str) -> tuple[Any, Any, Any, Any, Any]:
    """A started healing plan with a goal on its first step, a script and a small step."""
    plan = healing.default_plan_for(user)
    healing.start_plan(user, plan)
    step = healing.get_plan(plan).steps[0].id
    goal = healing.add_goal(user, plan, step, goal_text)
    script = healing.save_script(user, title=script_title)
    small = healing.add_small_step(user, goal.pk, step_text, timezone.localdate() + timedelta(days=1))
    return plan, step, goal, script, small


def _case_with_parent_a(mediator: User, user: User, title: str, parent_a: str, born: date) -> Any:
    """A mediation case that ``user`` has joined as parent A."""
    case = mediation.open_case(
        mediator,
        title=title,
        parent_a=parent_a,
        parent_b="Other parent",
        children=[("Kid", born)],
        starts=timezone.localdate() + timedelta(days=7),
    )
    _, invitation = mediation.invite_parent(mediator, case, "A", user.email)
    mediation.join_case(user, invitation)
    return case


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
    plan, step, goal, script, small = _plan_records(owner, "MXGOAL less calls", "MXSCRIPT no thanks", "Let it ring")
    exercise = healing.get_plan(plan).steps[0].exercises[0].id
    healing.save_exercise(owner, plan, exercise, "MXEXERCISE my answer")
    markers |= {"goal": "MXGOAL", "script": "MXSCRIPT", "exercise": "MXEXERCISE"}
    # A mediation case the owner is parent A of; its mediator is none of the viewers.
    mediator = make_therapist_user("mx.mediator@example.com", "Dr. Mediator")
    case = _case_with_parent_a(mediator, owner, "MXCASE family", "Alex", date(2018, 5, 2))
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
        "parent_id": comment.pk,
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
    stranger = make_user("mx.stranger@example.com")
    own = _own_records(stranger, mediator)
    viewers: dict[str, User | None] = {
        "owner": owner,
        "linked_parent": mum,
        "linked_child": kid,
        "stranger": stranger,
        "second_family": second_a,
        "anonymous": None,
        "therapist_all": t_all,
        "therapist_no_grant": t_none,
        "therapist_revoked": t_rev,
        "therapist_no_mfa": t_nomfa,
        "therapist_unconnected": t_out,
        "therapist_ended": t_end,
    }
    return World(viewers, params, markers, owner, {"stranger": own})


def _own_records(user: User, mediator: User) -> dict[str, Any]:
    """A viewer's own things of each kind (no markers), so a write can name the viewer's own
    object in the URL while its body names the owner's (a step under my goal with your script)."""
    other = TrackedPerson.objects.create(owner=user, name="their mum", role="parent")
    checkin = checkins.save_checkin(user, mood=5, note="own check-in")
    contact = checkins.add_contact(user, other_id=other.pk, kind="call", response="declined")
    entry = checkins.save_journal(user, text="own entry")
    plan, step, goal, script, small = _plan_records(user, "own goal", "own script", "own step")
    response = measures.start_response(user, "phq9")
    case = _case_with_parent_a(mediator, user, "own case", "Sam", date(2019, 1, 1))
    note = mediation.add_private_note(user, case, "own note")
    token, _ = issue_api_token(user, "own")
    return {
        "other_id": other.pk,
        "checkin_id": checkin.pk,
        "contact_id": contact.pk,
        "entry_id": entry.pk,
        "plan_id": plan,
        "step_id:str": step,
        "step_id:int": small.pk,
        "goal_id": goal.pk,
        "script_id": script.pk,
        "exercise_id": healing.get_plan(plan).steps[0].exercises[0].id,
        "response_id": response.pk,
        "case_id": case.pk,
        "note_id": note.pk,
        "token_id": token.pk,
    }


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
    world = _world()
    missing = _parameters_without_a_value(world.params)
    assert not missing, f"route parameters without a value in the world's params (add one): {missing}"
    missing = [
        f"{method.upper()} {path}: {field}"
        for (path, method), body in _json_bodies(world.params).items()
        for field, value in body.items()
        if value is None
    ]
    assert not missing, f"id fields in request bodies without one of the owner's ids in the world's params: {missing}"


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
    before, written = _fingerprint(), _writes_so_far()
    for name, method, url in writes:
        for viewer, client in clients.items():
            if url.startswith("/api/"):
                response = getattr(client, method)(url, GENERIC_JSON, content_type="application/json")
            else:
                response = client.post(url, GENERIC_FORM)
            if response.status_code >= 500:
                problems.append(f"{viewer} {method.upper()} {url}: {response.status_code}")
            if written is not None and written == (written := _writes_so_far()):
                continue  # nothing written
            after = _fingerprint()
            changed = sorted(t for t, h in after.items() if before.get(t) != h)
            before = after
            if changed and (viewer, name) not in ALLOWED_WRITES:
                problems.append(f"{viewer} {method.upper()} {url} changed {changed}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------- the owner's ids in the body
# Every write (pages and API, on the owner's URLs and on the viewer's own) is tried by every
# non-owner with the owner's ids in each id-like field it takes: the JSON body built from the
# operation's request schema, the form body from the forms the owner's (and their therapist's)
# pages render — with the owner's own values. Whole-table fingerprints cannot judge writes on
# a viewer's own endpoints (the viewer may add rows of their own), so rows are attributed: the
# owner's are those that reach the owner's account through foreign keys. The stranger also
# sends them to URLs naming the stranger's own things (my goal, your script).

# Logs, counters and the mail queue: a new row there may name the owner (an access-log entry,
# an e-mail to them) without being a write on the owner's things.
LOG_TABLES = UNFINGERPRINTED - {"accounts_apitoken"}


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    foreign_keys: tuple[tuple[str, str, str], ...]  # (column, referenced table, referenced column)


def _tables() -> list[Table]:
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in tables:
            continue
        fks = tuple(
            (f.column, f.related_model._meta.db_table, f.target_field.column)
            for f in meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one)
        )
        tables[meta.db_table] = Table(meta.db_table, meta.pk.column, fks)
    return list(tables.values())


Rows = dict[str, dict[Any, dict[str, Any]]]  # table -> pk -> column -> value


def _rows(tables: list[Table]) -> Rows:
    rows: Rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table.name)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            rows[table.name] = {(r := dict(zip(columns, row, strict=True)))[table.pk]: r for row in cursor.fetchall()}
    return rows


def _owner_rows(tables: list[Table], rows: Rows, owner: User) -> dict[str, set[Any]]:
    """Primary keys of every row that reaches the owner's account through foreign keys (their
    people, check-ins, plan, connections and the grants under them, …)."""
    owned: dict[str, set[Any]] = {t.name: set() for t in tables}
    owned[User._meta.db_table] = {owner.pk}
    grew = True
    while grew:
        grew = False
        values = _owned_values(tables, rows, owned)
        for table in tables:
            for pk, row in rows[table.name].items():
                if pk not in owned[table.name] and any(
                    row[column] in values.get((target, to), ()) for column, target, to in table.foreign_keys
                ):
                    owned[table.name].add(pk)
                    grew = True
    return owned


def _owned_values(tables: list[Table], rows: Rows, owned: dict[str, set[Any]]) -> dict[tuple[str, str], set[Any]]:
    """(table, column) -> the values of that column in the owner's rows (what an FK to it holds)."""
    wanted = {(target, to) for t in tables for _, target, to in t.foreign_keys}
    return {(target, to): {rows[target][pk][to] for pk in owned[target]} for target, to in wanted if target in rows}


def _example(kind: str) -> str:
    """A value of this format (a date soon: a plan step, say, is planned in the next weeks)."""
    soon = timezone.now() + timedelta(days=2)
    return {"date": soon.date().isoformat(), "date-time": soon.isoformat()}.get(kind, "x")


def _owner_ids(params: dict[str, Any]) -> list[int]:
    """Every integer id in the world's params (the owner's things), for a list or map of ids."""
    return sorted({v for v in params.values() if isinstance(v, int) and not isinstance(v, bool)})


def _owner_value(name: str, kind: str, params: dict[str, Any]) -> Any:
    """The owner's id for a field named like a route parameter (``goal_id``, ``script_id``)."""
    return params.get(f"{name}:{kind}", params.get(name))


def _id_like(name: str, schema: dict[str, Any]) -> bool:
    keyed = isinstance(schema.get("additionalProperties"), dict)  # a map ({other_id: rating})
    return name in ("id", "ids") or name.endswith(("_id", "_ids")) or keyed


def _schema_value(name: str, schema: dict[str, Any], doc: dict[str, Any], params: dict[str, Any]) -> Any:
    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    schema = resolve(schema)
    for option in schema.get("anyOf", []):
        if resolve(option).get("type") != "null":
            return _schema_value(name, option, doc, params)
    kind = schema.get("type")
    if name.endswith("_id"):
        return _owner_value(name, "int" if kind == "integer" else "str", params)
    if kind == "array" and _id_like(name, schema):
        return _owner_ids(params)
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):  # keyed by ids?
        value = _schema_value("", schema["additionalProperties"], doc, params)
        return {str(i): value for i in _owner_ids(params)}
    if name in GENERIC_JSON:
        return GENERIC_JSON[name]
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "string":
        return _example(schema.get("format", ""))
    if kind == "integer":
        return schema.get("minimum", 1)
    return {"boolean": True, "object": {}, "array": [], "number": 1}.get(kind or "", "x")


def _json_bodies(params: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(path, method) -> a body: the required fields and every id-like one, ids the owner's."""
    doc = Client().get("/api/openapi.json").json()
    bodies = {}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if method == "get" or content is None:
                continue
            schema = content["schema"]
            while "$ref" in schema:
                schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            required = set(schema.get("required", []))
            bodies[(path, method)] = {
                name: _schema_value(name, field, doc, params)
                for name, field in schema.get("properties", {}).items()
                if name in required or _id_like(name, field)
            }
    return bodies


class _FormParser(HTMLParser):
    """The POST forms of a page: action, fields with the values as rendered, submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], list[tuple[str, str]]]] = []
        self.select: str | None = None
        self.inside = False  # in a POST form

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attributes}
        if tag == "form":
            self.inside = a.get("method", "").lower() == "post"
            if self.inside:
                self.forms.append((a.get("action", ""), {}, []))
            return
        if not self.inside:
            return
        _, fields, buttons = self.forms[-1]
        name, kind = a.get("name", ""), a.get("type", "text").lower()
        if tag == "option" and self.select and a.get("value") and not fields.get(self.select):
            fields[self.select] = a["value"]
        if not name:
            return
        if tag == "button" or (tag == "input" and kind in ("submit", "image", "button")):
            buttons.append((name, a.get("value", "")))
        elif tag == "input":
            value = a.get("value") or ("on" if kind in ("checkbox", "radio") else "")
            fields.setdefault(name, value or GENERIC_FORM.get(name) or _example(kind))
        elif tag == "select":
            self.select = name
            fields.setdefault(name, "")
        elif tag == "textarea":
            fields.setdefault(name, GENERIC_FORM.get(name, "x"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def _form_bodies(world: World, routes: list[str]) -> dict[str, list[dict[str, str]]]:
    """URL name -> the bodies of the forms that post to it on the pages the owner, the therapist
    they share everything with and the stranger (on their own things) see, as rendered: the
    owner's ids, or where a field is named like one of the world's ids (``script``,
    ``appointment``, ``other_id``) the owner's instead of the stranger's."""
    bodies: dict[str, list[dict[str, str]]] = {}
    shapes: dict[str, set[Any]] = {}
    for viewer, params in [("owner", {}), ("therapist_all", {}), *world.own_params.items()]:
        client = _client(world.viewers[viewer])
        for url in dict.fromkeys(_fill(route, world.params | params) for route in routes):
            response = client.get(url)
            if response.status_code != 200 or response.streaming or "html" not in response.get("Content-Type", ""):
                continue
            parser = _FormParser()
            parser.feed(response.content.decode("utf-8", "replace"))
            for action, fields, buttons in parser.forms:
                try:
                    name = resolve(urlsplit(urljoin(url, action)).path).view_name
                except Resolver404:
                    continue
                owners = {  # an id rendered in a field named like one of the world's ids
                    f: world.params[k]
                    for f, v in fields.items()
                    for k in (f, f"{f}_id")
                    if v.isdigit() and k.endswith("_id") and k in world.params
                }
                choices: list[tuple[str, str] | None] = list(buttons) or [None]
                for button in choices:
                    body = fields | {f: str(v) for f, v in owners.items()} | dict([button] if button else [])
                    # One body per shape (a form per section or slot is one form) and per action.
                    shape = (tuple(sorted(body)), button)
                    if shape not in shapes.setdefault(name, set()):
                        shapes[name].add(shape)
                        bodies.setdefault(name, []).append(body)
    return bodies


def _writes_so_far() -> int | None:
    """Rows written on this connection so far (None where the database cannot say): a request
    that wrote nothing needs no look at the tables."""
    if connection.vendor == "sqlite":
        return connection.connection.total_changes  # type: ignore[union-attr]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_xact_user_tables")
            return int(cursor.fetchone()[0] or 0)
    return None


def _changes(
    tables: list[Table], before: Rows, after: Rows, owned: dict[str, set[Any]], values: dict[tuple[str, str], set[Any]]
) -> tuple[list[str], list[str]]:
    """(the owner's rows changed or deleted, rows made to reference one of the owner's rows)."""
    changed, references = [], []
    for table in tables:
        old, new = before[table.name], after[table.name]
        if old == new:
            continue
        changed += [f"{table.name} #{pk}" for pk in owned[table.name] if pk in old and old[pk] != new.get(pk)]
        if table.name in LOG_TABLES:
            continue
        for pk, row in new.items():
            was = old.get(pk, {})
            if was == row or pk in owned[table.name]:
                continue
            references += [  # a new row, or one of someone else's, now pointing at the owner's
                f"{table.name} #{pk}.{column} -> {target} #{row[column]}"
                for column, target, to in table.foreign_keys
                if row[column] in values.get((target, to), ()) and was.get(column) != row[column]
            ]
    return changed, references


@pytest.mark.django_db
def test_no_non_owner_write_with_the_owners_ids_touches_the_owners_rows() -> None:
    world = _world()
    tables = _tables()
    before = _rows(tables)
    owned = _owner_rows(tables, before, world.owner)
    values = _owned_values(tables, before, owned)  # what a foreign key to an owner's row holds
    pages = [(name, route) for name, route, _ in _page_routes()]
    forms = _form_bodies(world, [route for _, route in pages])
    json_bodies = _json_bodies(world.params)
    operations = [(path, method, route) for path, method, route in _schema_operations() if method != "get"]
    # (viewer, the params its URLs are filled with): everyone on the owner's URLs, the stranger
    # also on its own (the owner's ids still in the body).
    runs = [(viewer, world.params) for viewer in VIEWERS if viewer != "owner"]
    runs += [(viewer, world.params | own) for viewer, own in world.own_params.items()]
    problems = []
    requests = 0
    for viewer, params in runs:
        client = _client(world.viewers[viewer])
        writes: list[tuple[str, str, str, Any]] = [
            (name, "post", _fill(route, params), body)
            for name, route in pages
            for body in forms.get(name, [GENERIC_FORM])
        ]
        writes += [
            (path, method, _fill(route, params), json_bodies.get((path, method))) for path, method, route in operations
        ]
        before, written = _rows(tables), _writes_so_far()
        for name, method, url, body in writes:
            for _attempt in range(2):
                if url.startswith("/api/"):
                    response = getattr(client, method)(url, body, content_type="application/json")
                else:
                    response = client.post(url, body)
                if response.status_code != 429:
                    break
                LimitEvent.objects.all().delete()  # a limit reached would hide the check behind it
                cache.clear()
                before = _rows(tables)
            requests += 1
            where = f"{viewer} {method.upper()} {url} {body}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            if written is not None and written == (written := _writes_so_far()):
                continue
            after = _rows(tables)
            changed, references = _changes(tables, before, after, owned, values)
            before = after
            if changed and (viewer, name) not in ALLOWED_WRITES:
                problems.append(f"{where} changed the owner's {changed}")
            if references and (viewer, name) not in ALLOWED_WRITES:
                problems.append(f"{where} made rows reference the owner's: {references}")
        assert client.get("/api/me").status_code == (401 if viewer == "anonymous" else 200), (
            f"{viewer} was signed out (or in) by a write"
        )
    assert requests > 2000, requests
    assert not problems, "\n".join(problems)
