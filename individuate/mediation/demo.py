"""A demo mediation case for a fictional family, built through the app's actions.

``seed_mediation(mediator, parent_a, parent_b)`` is called by ``seed_demo``; it does nothing
when the mediator already has a case with the demo title. Every name here is invented.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from . import actions, plan_document
from .holidays import birthday_rule, holiday_rule
from .models import Case, Party

if TYPE_CHECKING:
    from individuate.accounts.models import User

TITLE = "The Alder family (demo)"


def _first_name(user: User, fallback: str) -> str:
    name = (user.display_name or "").split()
    return name[0][:60] if name else fallback


def seed_mediation(mediator: User, parent_a: User, parent_b: User) -> Case | None:
    if Case.objects.filter(mediator=mediator, title=TITLE).exists():
        return None
    a_name, b_name = _first_name(parent_a, "Nora"), _first_name(parent_b, "Tobias")
    if a_name == b_name:
        a_name, b_name = f"{a_name} A.", f"{b_name} B."
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    children = [("Elsie", date(today.year - 9, 6, 12)), ("Finn", date(today.year - 6, 2, 3))]
    case = actions.open_case(mediator, title=TITLE, parent_a=a_name, parent_b=b_name, children=children, starts=monday)
    for role, user in ((Party.Role.A, parent_a), (Party.Role.B, parent_b)):
        _, token = actions.invite_parent(mediator, case, role, user.email)
        actions.join_case(user, token)
    parents = [a_name, b_name]
    year = monday.year
    draft = actions.draft(case).document
    draft["regular"] = {"pattern": "2-2-5-5", "starts": monday.isoformat(), "first": a_name}
    draft["timezone"] = "Europe/Amsterdam"
    draft["exchange"] = {"time": "17:30", "place": "The public library on the market square, front entrance"}
    draft["school"] = {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:30", "to": "15:00"}
    draft["holidays"] = [
        holiday_rule("winter-break-first-half", parents),
        holiday_rule("winter-break-second-half", parents, swap=True),
        holiday_rule("mothers-day", parents),
        holiday_rule("fathers-day", parents),
        holiday_rule("new-years-eve", parents),
        birthday_rule("Elsie", children[0][1].isoformat(), parents),
        birthday_rule("Finn", children[1][1].isoformat(), parents),
    ]
    draft["vacations"] = [
        {"parent": a_name, "from": date(year + 1, 7, 6).isoformat(), "nights": 14, "name": "Summer with " + a_name},
        {"parent": b_name, "from": date(year + 1, 7, 27).isoformat(), "nights": 14, "name": "Summer with " + b_name},
    ]
    draft["sections"] = {
        "decision_making": {
            "education": "joint",
            "health_care": "joint",
            "religion": "joint",
            "activities": a_name,
            "emergencies": "The parent with the children acts at once and tells the other parent within two hours.",
        },
        "exchanges": {
            "who_drives": "receiving parent",
            "illness": (
                "A child who is ill stays where they are; the other parent may call, and the missed night "
                "is not made up."
            ),
        },
        "child_voice": {
            "how_heard": "Once a year the children may talk with the mediator on their own about how the plan feels."
        },
        "relocation": {"notice_days": 90},
        "first_refusal": {"after_hours": 4},
        "dispute_resolution": {
            "steps": "First a call between the parents; then back to mediation; court only after that."
        },
        "review": {"every_months": 12},
    }
    actions.save_document(
        mediator, case, draft, summary="Drafted the schedule, holidays, vacations and the written sections."
    )
    actions.comment(parent_a, case, "exchanges", "Could the library be the place in winter too? It is warm and calm.")
    actions.comment(parent_b, case, "holidays", "Thank you for adding both birthdays.")
    proposal = actions.comment(
        parent_b,
        case,
        "communication",
        "I would like us to use a shared notebook app, and to answer within a day.",
        proposal={
            "between_parents": "A shared co-parenting notebook app; urgent matters by phone.",
            "reply_within_hours": 24,
            "child_calls": "The children may call the other parent every evening before 19:30.",
        },
    )
    actions.decide_proposal(mediator, case, proposal.pk, accept=True, note="Thank you — in the draft now.")
    final = actions.draft(case)
    assert not plan_document.validate(final.document)
    actions.agree(parent_a, case, final.number, typed_name=f"{a_name} Alder")
    actions.agree(parent_b, case, final.number, typed_name=f"{b_name} Alder")
    actions.add_private_note(parent_a, case, "I find the hand-overs tense; the library feels safer than the house.")
    return case
