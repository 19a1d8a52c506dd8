"""Demo data ends no later than today in every time zone: nothing is dated in anyone's future."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from individuate.demo.clock import EARLIEST_ZONE
from individuate.healing.models import SmallStep

# Fields that hold a future on purpose, and why. Everything else must be in the past.
FUTURE_BY_NATURE: dict[tuple[str, str], str] = {
    ("practice.Appointment", "start"): "booked sessions are upcoming by nature",
    ("practice.Appointment", "end"): "booked sessions are upcoming by nature",
    ("healing.SmallStep", "planned_on"): "a step the person plans for the coming Sunday (status 'planned')",
    ("boundaries.FamilyLink", "expires_at"): "an invitation's expiry",
    ("boundaries.TherapistConnection", "expires_at"): "an invitation's expiry",
}


def _dated_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.get_fields() if isinstance(f, models.DateField) and f.concrete]


@pytest.mark.django_db
def test_seed_demo_dates_nothing_after_today_in_the_earliest_zone() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    now = timezone.now()
    earliest_today = now.astimezone(EARLIEST_ZONE).date()
    future: list[str] = []
    checked = 0
    for model in apps.get_models():
        if not model.__module__.startswith("individuate."):
            continue
        label = model._meta.label
        for field in _dated_fields(model):
            if (label, field.name) in FUTURE_BY_NATURE:
                continue
            for pk, value in model.objects.exclude(**{field.name: None}).values_list("pk", field.name):
                checked += 1
                if isinstance(value, datetime):
                    too_late = value > now + timedelta(seconds=5)
                else:
                    assert isinstance(value, date)
                    too_late = value > earliest_today
                if too_late:
                    future.append(f"{label}.{field.name} #{pk} = {value}")
    assert checked > 1000  # the demo really was seeded and read
    assert not future, "\n".join(future[:20])
    # A step may be planned for the coming days, but nothing done is dated ahead.
    assert not SmallStep.objects.filter(planned_on__gt=earliest_today).exclude(status="planned").exists()


@pytest.mark.django_db
def test_a_completed_sitting_cannot_be_imported_with_a_future_date() -> None:
    from individuate.accounts.models import User
    from individuate.core.errors import ActionError
    from individuate.measures.actions import import_completed
    from individuate.measures.models import Response

    person = User.objects.create_user("future@example.com", "a-long-test-password-1")
    answers = {f"gad7_{n}": 1 for n in range(1, 8)}
    with pytest.raises(ActionError, match="future"):
        import_completed(person, "gad7", answers, timezone.now() + timedelta(hours=3))
    assert not Response.objects.exists()
    import_completed(person, "gad7", answers, timezone.now() - timedelta(days=1))
    assert Response.objects.count() == 1
