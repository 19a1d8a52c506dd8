from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from individuate.core.errors import ActionError
from individuate.mediation import actions
from individuate.practice.models import Appointment


def _appointment(therapist, client, days):
    start = timezone.now() + timedelta(days=days)
    return Appointment.objects.create(
        therapist=therapist, client=client, start=start, end=start + timedelta(hours=1), status="confirmed"
    )


def test_mediator_links_own_sessions_with_the_parents_only(case, mediator, alice, jordan, stranger, outsider):
    with_alice = _appointment(mediator, alice, 2)
    with_stranger = _appointment(mediator, stranger, 3)
    someone_elses = _appointment(outsider, jordan, 4)
    assert [a.pk for a in actions.linkable_sessions(mediator, case)] == [with_alice.pk]
    actions.link_session(mediator, case, with_alice.pk)
    for appointment in (with_stranger, someone_elses):
        with pytest.raises(ActionError):
            actions.link_session(mediator, case, appointment.pk)
    assert list(case.sessions.values_list("appointment_id", flat=True)) == [with_alice.pk]


def test_separate_sessions_show_each_parent_only_their_own_sessions(case, mediator, alice, jordan):
    from django.test import Client
    from django.urls import reverse

    actions.link_session(mediator, case, _appointment(mediator, alice, 2).pk)
    actions.update_case(mediator, case, separate_sessions=True, must_not_meet=True)
    page = Client()
    page.force_login(jordan)
    body = page.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert "No sessions linked yet." in body
    assert "The parents must not meet" in body
