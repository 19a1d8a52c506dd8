"""The articles API. Public: published articles and approved comments (never an
e-mail address), posting a comment under the form's rules. A writer (therapist with
two-factor, or the operator): their articles and the moderation queue.

Status codes: 201 comment stored (its ``status`` says whether it is published or
held), 401 not signed in, 403 not a writer / comments closed, 404 no such article,
409 duplicate comment or taken address, 422 invalid input, 429 too quick."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest
from individuate.core.schemas import Message, Offset, Text

from . import actions
from .forms import TOO_FAST_SECONDS, start_token
from .models import Article, Comment
from .views import client_ip

router = Router(tags=["articles"])


def _email(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(value.strip())
    except ValidationError as exc:
        raise ValueError("That does not look like an e-mail address.") from exc
    return value.strip()


Email = Annotated[str, AfterValidator(_email)]


class ArticleSummaryOut(Schema):
    slug: str
    title: str
    summary: str
    author: str | None
    published_at: datetime | None
    tags: list[str]


class CommentOut(Schema):
    id: int
    parent_id: int | None
    name: str
    website: str
    body: str
    by_author: bool
    created_at: datetime


class ArticleOut(ArticleSummaryOut):
    body_html: str
    comments_open: bool
    comments: list[CommentOut]
    comment_token: str = Field(description="Send back with a comment; it proves the form was read first.")


class CommentIn(Schema):
    name: Text = Field(min_length=1, max_length=245)
    email: Email = Field(max_length=100)
    body: Text = Field(min_length=1, max_length=10_000)
    website: str = Field("", max_length=200)
    parent_id: int | None = None
    agree_terms: Literal[True] = Field(description="Must be true: the commenter agrees to the terms.")
    comment_token: str = ""


class PostedOut(Schema):
    id: int
    status: str
    message: str


class ManagedOut(Schema):
    id: int
    slug: str
    title: str
    status: str
    publish_at: datetime | None
    published_at: datetime | None


class ModerationItemOut(Schema):
    id: int
    article: str
    name: str
    body: str
    status: str
    spam_probability: float | None
    held_because: str
    created_at: datetime


class ModerateIn(Schema):
    ids: list[int] = Field(min_length=1, max_length=500)
    action: Literal["approve", "pending", "spam", "trash"]


class ModeratedOut(Schema):
    changed: int


def _summary(a: Article) -> dict[str, Any]:
    return {
        "slug": a.slug,
        "title": a.title,
        "summary": a.summary,
        "author": a.author.name if a.author else None,
        "published_at": a.published_at,
        "tags": [t.name for t in a.tags.all()],
    }


@router.get("/articles", response=list[ArticleSummaryOut], auth=None, summary="Published articles, newest first")
def list_articles(
    request: HttpRequest, tag: str = "", q: str = "", limit: int = 20, offset: Offset = 0
) -> list[dict[str, Any]]:
    qs = actions.search(q) if q.strip() else actions.published()
    if tag:
        qs = qs.filter(tags__slug=tag)
    limit = max(1, min(limit, 100))
    return [_summary(a) for a in qs[max(offset, 0) : max(offset, 0) + limit]]


@router.get(
    "/articles/{slug}",
    response={200: ArticleOut, 404: Message},
    auth=None,
    summary="One published article with its approved comments",
)
def read_article(request: HttpRequest, slug: str) -> Any:
    article, _ = actions.find_article(slug)
    if article is None:
        return Status(404, {"detail": "No such article."})
    comments = [
        {
            "id": c.pk,
            "parent_id": c.parent_id,
            "name": c.name,
            "website": c.website,
            "body": c.body,
            "by_author": c.by_author,
            "created_at": c.created_at,
        }
        for c in actions.approved_comments(article)
    ]
    return {
        **_summary(article),
        "body_html": article.body_html,
        "comments_open": article.comments_open(),
        "comments": comments,
        "comment_token": start_token(),
    }


@router.post(
    "/articles/{slug}/comments",
    response={201: PostedOut, 403: Message, 404: Message, 409: Message, 422: Message, 429: Message},
    auth=None,
    summary="Post a comment (same rules as the form); 409 duplicate, 429 too quick",
)
def post_comment(request: HttpRequest, slug: str, payload: CommentIn) -> Any:
    import time

    from django.core import signing

    from .forms import FORM_MAX_AGE, SALT

    article, _ = actions.find_article(slug)
    if article is None:
        return Status(404, {"detail": "No such article."})
    too_fast, bad = False, False
    try:
        too_fast = (
            time.time() - int(signing.loads(payload.comment_token, salt=SALT, max_age=FORM_MAX_AGE)) < TOO_FAST_SECONDS
        )
    except (signing.BadSignature, TypeError, ValueError):
        bad = True
    comment = actions.post_comment(
        article,
        actions.Incoming(
            name=payload.name,
            email=str(payload.email),
            body=payload.body,
            website=payload.website,
            parent_id=payload.parent_id,
            too_fast=too_fast,
            bad_signature=bad,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ),
    )
    return Status(201, {"id": comment.pk, "status": comment.status, "message": _POSTED[comment.status]})


_POSTED: dict[str, str] = {
    Comment.Status.APPROVED: "Published.",
    Comment.Status.PENDING: "Awaiting moderation.",
    Comment.Status.SPAM: "Held for a check.",
}


def _writer(request: AuthedRequest) -> None:
    if not actions.may_write(request.user):
        raise ActionError("This is for therapists with two-factor sign-in, or the operator.", "forbidden")


@router.get("/my/articles", response={200: list[ManagedOut], 403: Message}, summary="The articles I manage")
def my_articles(request: AuthedRequest) -> Any:
    _writer(request)
    qs = Article.objects.all() if request.user.is_superuser else Article.objects.filter(author=request.user)
    return [
        {
            "id": a.pk,
            "slug": a.slug,
            "title": a.title,
            "status": a.status,
            "publish_at": a.publish_at,
            "published_at": a.published_at,
        }
        for a in qs.order_by("-updated_at")
    ]


class ArticleIn(Schema):
    title: Text = Field(min_length=1, max_length=160)
    body: Text = Field("", max_length=200_000)
    summary: Text = Field("", max_length=300)
    slug: str = Field("", max_length=80)
    tags: list[str] = Field(default_factory=list, max_length=12)
    comments: Literal["open", "closed", "auto"] = "auto"
    publish: bool = False


@router.post(
    "/my/articles", response={201: ManagedOut, 403: Message, 409: Message, 422: Message}, summary="Write an article"
)
def create_article(request: AuthedRequest, payload: ArticleIn) -> Any:
    _writer(request)
    with transaction.atomic():  # refused publication (e.g. an empty text): nothing is stored
        a = actions.save_article(request.user, None, **_article_fields(payload))
        if payload.publish:
            actions.publish(request.user, a)
    return Status(201, _managed(a))


def _article_fields(payload: ArticleIn | ArticleEditIn) -> dict[str, Any]:
    """What a writer sends about an article, as ``actions.save_article`` takes it."""
    return {k: getattr(payload, k) for k in ("title", "body", "summary", "slug", "tags", "comments")}


def _managed(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "slug": a.slug,
        "title": a.title,
        "status": a.status,
        "publish_at": a.publish_at,
        "published_at": a.published_at,
    }


def _own(request: AuthedRequest, article_id: int) -> Article:
    _writer(request)
    article = Article.objects.filter(pk=article_id).first()
    if article is None or not actions.may_manage(request.user, article):
        raise ActionError("No such article.", "not_found")
    return article


class ManagedArticleOut(ManagedOut):
    summary: str
    body: str
    tags: list[str]
    comments: str
    slug_locked: bool
    revisions: int


@router.get(
    "/my/articles/{article_id}",
    response={200: ManagedArticleOut, 403: Message, 404: Message},
    summary="One of my articles, as written",
)
def my_article(request: AuthedRequest, article_id: int) -> Any:
    a = _own(request, article_id)
    return {
        **_managed(a),
        "summary": a.summary,
        "body": a.body,
        "tags": [t.name for t in a.tags.all()],
        "comments": a.comments,
        "slug_locked": a.slug_locked,
        "revisions": a.revisions.count(),
    }


class ArticleEditIn(Schema):
    title: Text = Field(min_length=1, max_length=160)
    body: Text = Field("", max_length=200_000)
    summary: Text = Field("", max_length=300)
    slug: str = Field("", max_length=80, description="Changeable until the first publication.")
    tags: list[str] = Field(default_factory=list, max_length=12)
    comments: Literal["open", "closed", "auto"] = "auto"


@router.put(
    "/my/articles/{article_id}",
    response={200: ManagedOut, 403: Message, 404: Message, 409: Message, 422: Message},
    summary="Edit an article (after publication each edit keeps a revision)",
)
def edit_article(request: AuthedRequest, article_id: int, payload: ArticleEditIn) -> Any:
    a = _own(request, article_id)
    a = actions.save_article(request.user, a, **_article_fields(payload))
    return _managed(a)


class PublishIn(Schema):
    at: datetime | None = Field(None, description="A future time to schedule; empty: publish now.")


@router.post(
    "/my/articles/{article_id}/publish",
    response={200: ManagedOut, 403: Message, 404: Message, 422: Message},
    summary="Publish now, or schedule for a future time",
)
def publish_article(request: AuthedRequest, article_id: int, payload: PublishIn) -> Any:
    a = _own(request, article_id)
    at = payload.at
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    return _managed(actions.publish(request.user, a, at))


@router.post(
    "/my/articles/{article_id}/unpublish",
    response={200: ManagedOut, 403: Message, 404: Message},
    summary="Take an article off the site",
)
def unpublish_article(request: AuthedRequest, article_id: int) -> Any:
    return _managed(actions.unpublish(request.user, _own(request, article_id)))


@router.get("/my/comments", response={200: list[ModerationItemOut], 403: Message}, summary="The moderation queue")
def queue(
    request: AuthedRequest,
    status: Literal["pending", "approved", "spam", "trash"] = "pending",
    q: Annotated[str, Field(max_length=200)] = "",
) -> Any:
    _writer(request)
    qs = actions.moderation_queryset(request.user).filter(status=status)
    if q.strip():
        qs = actions.search_comments(qs, q)
    return [
        {
            "id": c.pk,
            "article": c.article.title,
            "name": c.name,
            "body": c.body,
            "status": c.status,
            "spam_probability": c.spam_probability,
            "held_because": c.held_because,
            "created_at": c.created_at,
        }
        for c in qs.order_by("-created_at")[:200]
    ]


@router.post(
    "/my/comments/moderate",
    response={200: ModeratedOut, 403: Message, 404: Message, 422: Message},
    summary="Approve, hold, mark spam or trash",
)
def moderate(request: AuthedRequest, payload: ModerateIn) -> Any:
    _writer(request)
    return {"changed": actions.moderate(request.user, payload.ids, payload.action)}


class ReplyIn(Schema):
    body: Text = Field(min_length=1, max_length=10_000)


@router.post(
    "/my/comments/{comment_id}/reply",
    response={201: PostedOut, 403: Message, 404: Message, 422: Message},
    summary="Answer a comment as the article's author (approves the comment answered)",
)
def reply(request: AuthedRequest, comment_id: int, payload: ReplyIn) -> Any:
    _writer(request)
    answer = actions.reply(request.user, comment_id, payload.body)
    return Status(201, {"id": answer.pk, "status": answer.status, "message": _POSTED[answer.status]})
