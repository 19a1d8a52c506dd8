from __future__ import annotations

from individuate.mediation import actions, schedule
from individuate.mediation.demo import seed_mediation


def test_demo_case_is_agreed_by_both_parents_and_seeding_twice_adds_nothing(mediator, alice, jordan):
    case = seed_mediation(mediator, alice, jordan)
    assert case is not None
    agreed = actions.agreed_version(case)
    assert agreed is not None and agreed == actions.draft(case)
    assert agreed.document["sections"]["communication"]["reply_within_hours"] == 24
    sched = schedule.parse(agreed.document)
    figures = schedule.two_year_average(sched, sched.starts.year + 1)
    assert sum(figures.total.overnights.values()) == figures.total.nights
    assert case.private_notes.count() == 1
    assert seed_mediation(mediator, alice, jordan) is None
