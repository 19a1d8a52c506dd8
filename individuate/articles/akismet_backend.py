"""The optional Akismet second opinion (``AKISMET_API_KEY`` and ``AKISMET_SITE_URL``).

The local verdict stands whenever Akismet cannot be asked (no key, network error,
time-out): a comment is never lost because a service is away."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings

from . import spam

if TYPE_CHECKING:
    from .actions import Incoming
    from .models import Article, Comment

log = logging.getLogger(__name__)
client_class: Any = None  # tests put the package's own test client class here


def enabled() -> bool:
    return bool(settings.AKISMET_API_KEY and settings.AKISMET_SITE_URL)


def _client() -> Any:
    import akismet

    cls = client_class or akismet.SyncClient
    return cls(config=akismet.Config(key=settings.AKISMET_API_KEY, url=settings.AKISMET_SITE_URL))


def check(article: Article, data: Incoming, local: spam.Assessment) -> spam.Assessment:
    if not enabled() or local.verdict == spam.SPAM:
        return local
    try:
        with _client() as client:
            result = client.comment_check(
                **_fields(data.ip, data.name, data.email, data.website, data.body, article, data.user_agent)
            )
    except Exception as exc:  # noqa: BLE001 - any failure of the service: keep the local verdict
        log.warning("Akismet unavailable, the local verdict stands: %s", exc)
        return local
    import akismet

    if result == akismet.CheckResponse.DISCARD:
        return spam.Assessment(max(local.probability, 0.99), spam.SPAM, (*local.reasons, "Akismet: certain spam"))
    if result == akismet.CheckResponse.SPAM:
        return spam.Assessment(local.probability, spam.MODERATE, (*local.reasons, "Akismet: spam"))
    return local


def _fields(
    ip: str | None, name: str, email: str, website: str, body: str, article: Article, user_agent: str
) -> dict[str, str]:
    """What Akismet is told about a comment: the same on arrival and in a moderator's report."""
    return {
        "user_ip": ip or "127.0.0.1",
        "comment_type": "comment",
        "comment_author": name,
        "comment_author_email": email,
        "comment_author_url": website,
        "comment_content": body,
        "permalink": settings.SITE_ROOT + article.get_absolute_url(),
        "user_agent": user_agent,
    }


def report(comment: Comment, *, spam: bool) -> None:
    if not enabled():
        return
    try:
        with _client() as client:
            (client.submit_spam if spam else client.submit_ham)(
                **_fields(
                    comment.ip,
                    comment.name,
                    comment.email,
                    comment.website,
                    comment.body,
                    comment.article,
                    comment.user_agent,
                )
            )
    except Exception as exc:  # noqa: BLE001 - a report that fails changes nothing here
        log.warning("Akismet report failed: %s", exc)
