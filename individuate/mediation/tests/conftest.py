"""The mediation cast: Dr. Robin Vale mediates for Alice ("Alex" in the plan) and Jordan
("Sam"); Alice's mother (linked to Alice) and the stranger are outside the case."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from conftest import make_therapist_user, make_user
from individuate.accounts.models import ApiToken, User
from individuate.mediation import actions
from individuate.mediation.models import Case, Party


@pytest.fixture
def mediator(db: None) -> User:
    return make_therapist_user("mediator@example.com", "Dr. Robin Vale")


@pytest.fixture
def jordan(db: None) -> User:
    return make_user("jordan@example.com", "Jordan", perspective="parent")


def join(case: Case, role: str, user: User) -> Party:
    _, token = actions.invite_parent(case.mediator, case, role, user.email)
    return actions.join_case(user, token)


@pytest.fixture
def case(mediator: User, alice: User, jordan: User) -> Case:
    case = actions.open_case(
        mediator,
        title="Example family",
        parent_a="Alex",
        parent_b="Sam",
        children=[("Mia", date(2018, 5, 2)), ("Leo", date(2021, 9, 14))],
        starts=date(2027, 1, 4),
    )
    join(case, "A", alice)
    join(case, "B", jordan)
    return case


def api(user: User) -> tuple[Client, dict[str, str]]:
    _, raw = ApiToken.issue(user, "test")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
