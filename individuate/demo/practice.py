"""The demo therapist's practice: hours, a public page, this week's sessions, a message."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from individuate.accounts.models import User
from individuate.practice import actions
from individuate.practice.models import Appointment, ContactRequest, WeeklyHours


def seed_practice(therapist: User, client: User) -> None:
    profile = actions.profile_of(therapist)
    if WeeklyHours.objects.filter(therapist=therapist).exists():
        return
    profile.time_zone = "Europe/Amsterdam"
    profile.approach = (
        "I work with adult children and parents who feel caught in each other's moods. "
        "Together we look at the pattern without blaming anyone, and find small, kind steps "
        "towards a life that is your own. For separating families I offer mediation and help "
        "with a parenting plan that puts the children first."
    )
    profile.services = ["counselling", "mediation", "parenting_plan"]
    profile.min_notice_hours = 12
    profile.save()
    actions.set_weekly_hours(
        therapist,
        [(d, time(9, 0), time(12, 30)) for d in range(5)] + [(d, time(13, 30), time(17, 0)) for d in range(4)],
    )
    zone = profile.time_zone
    today = timezone.now().astimezone(ZoneInfo(zone)).date()
    for days, hour, status in (
        (1, 10, Appointment.Status.CONFIRMED),
        (3, 14, Appointment.Status.CONFIRMED),
        (5, 9, Appointment.Status.REQUESTED),
    ):
        day = today + timedelta(days=days)
        while day.weekday() > 4 or (hour > 12 and day.weekday() > 3):
            day += timedelta(days=1)
        start = datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(zone))
        if not Appointment.objects.filter(therapist=therapist, start=start).exists():
            Appointment.objects.create(
                therapist=therapist,
                client=client,
                start=start,
                end=start + timedelta(minutes=profile.session_minutes),
                status=status,
            )
    ContactRequest.objects.get_or_create(
        therapist=therapist,
        email="kai.visitor@example.com",
        defaults={
            "name": "Kai (fictional visitor)",
            "message": "My father and I are stuck in the same argument every week. I'd like to talk about it.",
            "preferred_times": "Weekday mornings",
        },
    )
