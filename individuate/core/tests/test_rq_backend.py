"""The RQ backend (Redis as a broker) runs the same tasks: tested against the real Redis."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from conftest import make_user
from individuate.core.mail import queue_email
from individuate.core.models import OutgoingEmail

# Its own Redis database, so the test never meets another run's jobs.
REDIS_URL = "redis://127.0.0.1:6379/7"
RQ = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL}}


def _redis_or_fail() -> object:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except RedisDown:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis must run in CI")
        pytest.skip("no Redis on this machine")
    return redis


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=RQ, RQ_QUEUES=RQ_QUEUES)
def test_queued_email_goes_through_an_rq_worker() -> None:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    redis = _redis_or_fail()
    queue = django_rq.get_queue("default", job_class=Job)
    queue.empty()
    person = make_user("rq@example.com", "Rae")
    queue_email("checkins/checkin-reminder", to=person, context={"checkin_path": "/checkin/"})
    assert not mail.outbox and queue.count == 1  # queued in Redis, not sent yet
    SimpleWorker([queue], connection=redis, job_class=Job).work(burst=True)
    assert [m.to for m in mail.outbox] == [["rq@example.com"]]
    assert OutgoingEmail.objects.count() == 0
    assert timezone.now()  # the worker ran in this process with the test's settings
