"""What the articles app does: writing and publishing, comments, moderation, erasure.

Views, the API, tasks and commands all call these functions."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from individuate.core.errors import ActionError
from individuate.core.mail import queue_email

from . import spam
from .markdown import MAX_COMMENT_CHARS, MarkdownTooLarge, plain_text, render
from .models import Article, ArticleRevision, Comment, ModerationDecision, OldSlug, SpamExample, Tag
from .spam import features

if TYPE_CHECKING:
    from individuate.accounts.models import User

MAX_DEPTH = 3  # a comment, a reply, a reply to that
FLOOD_SECONDS = 15


class TooManyRequests(ActionError):
    @property
    def status(self) -> int:
        return 429


def _site_host() -> str:
    return settings.SITE_ROOT.split("://", 1)[-1].split("/", 1)[0].lower()


def may_manage(user: User | None, article: Article) -> bool:
    """The article's author (a therapist with two-factor) or the operator."""
    from individuate.boundaries.policy import therapist_may_see_clients

    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return article.author_id == user.pk and therapist_may_see_clients(user)


def may_write(user: User | None) -> bool:
    from individuate.boundaries.policy import therapist_may_see_clients

    return bool(user and user.is_authenticated and (user.is_superuser or therapist_may_see_clients(user)))


# ---------------------------------------------------------------- writing


def _unique_slug(base: str, exclude: int | None = None) -> str:
    base = (slugify(base) or "article")[:70]
    slug, n = base, 1
    while _slug_taken(slug, exclude):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _slug_taken(slug: str, article_id: int | None) -> bool:
    articles, old = Article.objects.filter(slug=slug), OldSlug.objects.filter(slug=slug)
    if article_id is not None:
        articles, old = articles.exclude(pk=article_id), old.exclude(article_id=article_id)
    return articles.exists() or old.exists()


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in names[:12]:
        name = " ".join(name.split())[:40]
        slug = slugify(name)[:50]
        if slug:
            tags.append(Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0])
    return tags


def _render(body: str) -> str:
    try:
        return render(body, site_host=_site_host())
    except MarkdownTooLarge as exc:
        raise ActionError(str(exc)) from exc


def preview(body: str) -> str:
    return _render(body)


@transaction.atomic
def save_article(
    editor: User,
    article: Article | None,
    *,
    title: str,
    body: str,
    summary: str = "",
    slug: str = "",
    tags: list[str] | None = None,
    comments: str = Article.Comments.AUTO,
    cover: Any = None,
    cover_alt: str = "",
    site_article: bool = False,
) -> Article:
    """Create or edit. After first publication the slug stays and each edit keeps a revision."""
    if not may_write(editor):
        raise ActionError("Writing articles needs a therapist account with two-factor sign-in.", "forbidden")
    if article is not None and not may_manage(editor, article):
        raise ActionError("No such article.", "not_found")
    title = " ".join(title.split())
    if not title:
        raise ActionError("Give the article a title.")
    html = _render(body)
    wanted = slugify(slug) if slug else ""
    if article is None:
        if wanted and (Article.objects.filter(slug=wanted).exists() or OldSlug.objects.filter(slug=wanted).exists()):
            raise ActionError(f"The address “{wanted}” is taken by another article; choose another.", "conflict")
        article = Article(
            author=None if site_article and editor.is_superuser else editor, slug=wanted or _unique_slug(title)
        )
    else:
        if (
            article.slug_locked
            and article.is_public
            and (title, body, summary) != (article.title, article.body, article.summary)
        ):
            ArticleRevision.objects.create(
                article=article, editor=editor, title=article.title, summary=article.summary, body=article.body
            )
        if wanted and wanted != article.slug:
            if article.slug_locked:
                raise ActionError("The address cannot change after the article was first published.")
            if (
                Article.objects.filter(slug=wanted).exclude(pk=article.pk).exists()
                or OldSlug.objects.filter(slug=wanted).exclude(article=article).exists()
            ):
                raise ActionError(f"The address “{wanted}” is taken by another article; choose another.", "conflict")
            OldSlug.objects.get_or_create(slug=article.slug, defaults={"article": article})
            OldSlug.objects.filter(slug=wanted, article=article).delete()
            article.slug = wanted
    if cover is not None:
        from .images import process_cover

        article.cover.save(*process_cover(cover), save=False)
    if article.pk and wanted in ("", article.slug):
        _follow_first_title(article, title)
    article.title, article.body, article.summary, article.body_html = title, body, summary.strip()[:300], html
    article.cover_alt = cover_alt[:200]
    article.comments = comments if comments in Article.Comments.values else Article.Comments.AUTO
    article.search_text = f"{title}\n{summary}\n{plain_text(html)}"
    article.updated_at = timezone.now()
    article.save()
    if tags is not None:
        article.tags.set(_tags(tags))
    return article


#: The title of a draft autosaved before it had one.
UNTITLED = "Untitled draft"


def start_draft(editor: User, *, title: str, body: str, site_article: bool = False) -> Article:
    """The first autosave of a new article: a draft with what was typed so far (a title
    or a text is enough; without a title it is called "Untitled draft" until it gets one)."""
    title = " ".join(title.split())[:160]
    if not title and not body.strip():
        raise ActionError("Nothing typed yet.")
    try:
        _render(body)
        renders = True
    except ActionError:
        renders = False  # a text that cannot be rendered yet is still kept, by autosave below
    article = save_article(
        editor, None, title=title or UNTITLED, body=body if renders else "", site_article=site_article
    )
    if not renders:
        autosave(editor, article, body)
    return article


def autosave(editor: User, article: Article, body: str, title: str = "") -> Article:
    """Keep what is being typed (drafts only; a published text changes by saving). A
    non-empty title is kept too; an untitled draft's address follows its first title."""
    if not may_manage(editor, article):
        raise ActionError("No such article.", "not_found")
    if article.is_public:
        raise ActionError("A published article is saved with the Save button, which keeps a revision.", "conflict")
    try:
        article.body_html = _render(body)
    except ActionError:
        article.body_html = ""
    article.body = body
    fields = ["body", "body_html", "updated_at"]
    title = " ".join(title.split())[:160]
    if title and title != article.title:
        _follow_first_title(article, title)
        article.title = title
        fields += ["title", "slug"]
    article.updated_at = timezone.now()
    article.save(update_fields=fields)
    return article


def _follow_first_title(article: Article, title: str) -> None:
    if article.title == UNTITLED and not article.slug_locked and title != UNTITLED:
        article.slug = _unique_slug(title, exclude=article.pk)


@transaction.atomic
def publish(editor: User, article: Article, at: datetime | None = None) -> Article:
    if not may_manage(editor, article):
        raise ActionError("No such article.", "not_found")
    now = timezone.now()
    if at is not None and at <= now:
        raise ActionError("Choose a time in the future to schedule, or publish now.")
    if not article.body.strip():
        raise ActionError("An empty article cannot be published.")
    if at is not None:
        article.status, article.publish_at = Article.Status.SCHEDULED, at
        article.save(update_fields=["status", "publish_at"])
        from .tasks import publish_scheduled

        transaction.on_commit(lambda: publish_scheduled.using(run_after=at).enqueue(article.pk, at.isoformat()))
        return article
    _make_public(article, now)
    return article


def _make_public(article: Article, now: datetime) -> None:
    article.status, article.published_at, article.publish_at = Article.Status.PUBLISHED, now, None
    article.first_published_at = article.first_published_at or now
    article.save(update_fields=["status", "published_at", "publish_at", "first_published_at"])


def publish_due(article_id: int, planned: str) -> bool:
    """Run by the task: publish if still scheduled for that time (a reschedule voids it)."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.status != Article.Status.SCHEDULED or article.publish_at is None:
            return False
        if article.publish_at.isoformat() != planned:
            return False
        _make_public(article, timezone.now())
        return True


def unpublish(editor: User, article: Article) -> Article:
    if not may_manage(editor, article):
        raise ActionError("No such article.", "not_found")
    article.status, article.publish_at = Article.Status.UNPUBLISHED, None
    article.save(update_fields=["status", "publish_at"])
    return article


# ---------------------------------------------------------------- reading


def published() -> QuerySet[Article]:
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .select_related("author", "author__therapist_profile")
        .prefetch_related("tags")
    )


def search(query: str) -> QuerySet[Article]:
    query = " ".join(query.split())[:200]
    qs = published()
    if not query:
        return qs.none()
    from django.db import connection

    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A", config="english") + SearchVector(
            "search_text", weight="B", config="english"
        )
        sq = SearchQuery(query, search_type="websearch", config="english")
        return qs.annotate(rank=SearchRank(vector, sq)).filter(rank__gt=0).order_by("-rank", "-published_at")
    cond = Q()
    for word in query.split()[:8]:
        cond &= Q(title__icontains=word) | Q(search_text__icontains=word)
    return qs.filter(cond)


def find_article(slug: str) -> tuple[Article | None, str | None]:
    """The public article, or the slug it moved to (for a 301)."""
    article = published().filter(slug=slug).first()
    if article is not None:
        return article, None
    old = OldSlug.objects.filter(slug=slug, article__status=Article.Status.PUBLISHED).select_related("article").first()
    return None, (old.article.slug if old else None)


def approved_comments(article: Article) -> list[Comment]:
    return list(article.all_comments.filter(status=Comment.Status.APPROVED).order_by("created_at", "pk"))


def comment_tree(comments: list[Comment]) -> list[tuple[Comment, int]]:
    """Approved comments in reading order with their depth; a reply whose parent is not
    shown is shown at the top level (it stays readable)."""
    shown = {c.pk for c in comments}
    children: dict[int | None, list[Comment]] = {}
    for c in comments:
        key = c.parent_id if c.parent_id in shown else None
        children.setdefault(key, []).append(c)
    out: list[tuple[Comment, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            out.append((c, min(depth, MAX_DEPTH - 1)))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


# ---------------------------------------------------------------- comments

_BAD_CHARS = {"Cf", "Cc", "Co", "Cs"}


def clean_name(name: str) -> str:
    """No direction overrides, zero-width or control characters; spaces folded."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _BAD_CHARS)
    return " ".join(name.split())


def email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass
class Incoming:
    name: str
    email: str
    body: str
    website: str = ""
    parent_id: int | None = None
    honeypot: str = ""
    too_fast: bool = False
    bad_signature: bool = False
    ip: str | None = None
    user_agent: str = ""


def _log(comment: Comment, to: str, *, moderator: User | None = None, note: str = "", before: str = "") -> None:
    ModerationDecision.objects.create(
        comment=comment,
        moderator=moderator,
        by_filter=moderator is None,
        from_status=before,
        to_status=to,
        note=note[:300],
    )


def post_comment(article: Article, data: Incoming, *, user: User | None = None) -> Comment:
    """Store a reader's comment once, with the spam filter's verdict. Refuses (and
    stores nothing) a duplicate (409), a flood (429), a closed article, a bad parent."""
    if not article.is_public:
        raise ActionError("No such article.", "not_found")
    if not article.comments_open():
        raise ActionError("Comments on this article are closed.", "forbidden")
    name, email, body = clean_name(data.name), data.email.strip(), data.body.strip()
    if not name or not email or not body:
        raise ActionError("Name, e-mail and comment are all needed.")
    if len(body) > MAX_COMMENT_CHARS:
        raise ActionError(f"Comments can be up to {MAX_COMMENT_CHARS:,} characters.")
    parent = None
    depth = 0
    if data.parent_id:
        parent = Comment.objects.filter(pk=data.parent_id).first()
        if parent is None or parent.article_id != article.pk or parent.status != Comment.Status.APPROVED:
            raise ActionError("The comment you are replying to is not on this article (or not shown).")
        depth = min(parent.depth + 1, MAX_DEPTH - 1)
    fingerprint = hashlib.sha256(features.fingerprint(body).encode()).hexdigest()
    now = timezone.now()
    is_author = bool(
        user
        and user.is_authenticated
        and (user.pk == article.author_id or (article.author_id is None and user.is_superuser))
    )
    # The author, or the operator answering from the moderation queue: no filter, no hold.
    trusted = is_author or bool(user and user.is_authenticated and user.is_superuser)
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=article.pk).first()  # one comment at a time per article
        same_person = Q(email__iexact=email) | (Q(ip=data.ip) if data.ip else Q(pk__in=[]))
        if (
            article.all_comments.filter(same_person, fingerprint=fingerprint)
            .exclude(status=Comment.Status.TRASH)
            .exists()
        ):
            raise ActionError("It looks like you already said that on this article.", "conflict")
        if (
            data.ip
            and not trusted
            and Comment.objects.filter(ip=data.ip, created_at__gt=now - timedelta(seconds=FLOOD_SECONDS)).exists()
        ):
            raise TooManyRequests("You are commenting too quickly. Wait a few seconds and send it again.")
        history = Comment.objects.filter(email__iexact=email).values_list("status", flat=True)
        statuses = set(history)
        signals = spam.Signals(
            website=data.website,
            honeypot_filled=bool(data.honeypot.strip()),
            too_fast=data.too_fast,
            bad_signature=data.bad_signature,
            recent_from_address=(
                Comment.objects.filter(ip=data.ip, created_at__gt=now - timedelta(hours=1)).count() if data.ip else 0
            ),
            repeats=Comment.objects.filter(fingerprint=fingerprint, created_at__gt=now - timedelta(days=30)).count(),
            approved_before=Comment.Status.APPROVED in statuses,
            spammed_before=Comment.Status.SPAM in statuses,
            topic=features.topic_words(article.title, *[t.name for t in article.tags.all()]),
        )
        if trusted:
            verdict = spam.Assessment(0.0, spam.HAM, ())
        else:
            verdict = spam.assess(body, signals)
            verdict = _akismet_second_opinion(article, data, verdict)
        status = {
            spam.HAM: Comment.Status.APPROVED,
            spam.MODERATE: Comment.Status.PENDING,
            spam.SPAM: Comment.Status.SPAM,
        }[verdict.verdict]
        if (
            status == Comment.Status.PENDING
            and signals.approved_before
            and settings.ARTICLES_TRUST_APPROVED_COMMENTERS
            and verdict.probability < 0.5
            and not (signals.honeypot_filled or signals.too_fast or signals.bad_signature)
        ):
            status = Comment.Status.APPROVED
        reason = verdict.reason_text
        if (
            status == Comment.Status.APPROVED
            and not trusted
            and not signals.approved_before
            and (settings.ARTICLES_HOLD_FIRST_COMMENTS)
        ):
            status, reason = Comment.Status.PENDING, "a first comment from this address waits for a moderator"
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            depth=depth,
            status=status,
            name=name[:245],
            email=email[:100],
            website=data.website[:200],
            body=body,
            by_author=is_author,
            user=user if trusted else None,
            ip=data.ip,
            user_agent=data.user_agent[:300],
            fingerprint=fingerprint,
            spam_probability=verdict.probability,
            held_because=reason[:300],
        )
        _log(comment, status, note=reason or f"spam probability {verdict.probability:.0%}")
        if article.author_id and not trusted:
            queue_email(
                "articles/new-comment",
                to=article.author,  # type: ignore[arg-type]
                context={
                    "article_title": article.title,
                    "status": comment.get_status_display(),
                    "queue_path": reverse("articles:moderation_queue"),
                    "article_path": article.get_absolute_url(),
                },
                about=article.author,
            )
    return comment


def _akismet_second_opinion(article: Article, data: Incoming, local: spam.Assessment) -> spam.Assessment:
    from . import akismet_backend

    return akismet_backend.check(article, data, local)


# ---------------------------------------------------------------- moderation

ACTIONS = {
    "approve": Comment.Status.APPROVED,
    "pending": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
}


def moderation_queryset(user: User) -> QuerySet[Comment]:
    qs = Comment.objects.select_related("article")
    if user.is_superuser:
        return qs
    if not may_write(user):
        return qs.none()
    return qs.filter(article__author=user)


def search_comments(qs: QuerySet[Comment], q: str) -> QuerySet[Comment]:
    """The moderation queue's search: words of the comment, the name, the article's title."""
    q = q.strip()[:200]
    return qs.filter(Q(body__icontains=q) | Q(name__icontains=q) | Q(article__title__icontains=q))


@transaction.atomic
def moderate(moderator: User, comment_ids: list[int], action: str) -> int:
    """Change statuses; each change is logged; moderators' spam/genuine calls become
    labelled data for the next training (and go to Akismet when it is on)."""
    if action not in ACTIONS:
        raise ActionError("Unknown moderation action.")
    to = ACTIONS[action]
    comments = list(moderation_queryset(moderator).select_for_update().filter(pk__in=comment_ids[:500]))
    if not comments:
        raise ActionError("No such comment.", "not_found")
    now = timezone.now()
    for c in comments:
        if c.status == to:
            continue
        before = c.status
        c.status, c.status_changed_at = to, now
        c.save(update_fields=["status", "status_changed_at"])
        _log(c, to, moderator=moderator, before=before)
        if to == Comment.Status.SPAM or (
            to == Comment.Status.APPROVED and before in {Comment.Status.SPAM, Comment.Status.PENDING}
        ):
            SpamExample.objects.create(
                text=c.body, spam=to == Comment.Status.SPAM, topic=c.article.title[:300], writer_key=email_key(c.email)
            )
            from . import akismet_backend

            akismet_backend.report(c, spam=to == Comment.Status.SPAM)
    return len(comments)


def reply(moderator: User, comment_id: int, body: str) -> Comment:
    parent = moderation_queryset(moderator).filter(pk=comment_id).first()
    if parent is None:
        raise ActionError("No such comment.", "not_found")
    if parent.status != Comment.Status.APPROVED:
        moderate(moderator, [parent.pk], "approve")
        parent.refresh_from_db()
    article = parent.article
    return post_comment(
        article,
        Incoming(name=moderator.name, email=moderator.mail_address, body=body, parent_id=parent.pk),
        user=moderator,
    )


def purge_trash(days: int | None = None) -> int:
    """Trash and spam older than the keep period are deleted for good."""
    days = settings.ARTICLES_TRASH_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    old = Comment.objects.filter(status__in=[Comment.Status.TRASH, Comment.Status.SPAM], status_changed_at__lt=cutoff)
    count = old.count()
    Comment.objects.filter(parent__in=old).update(parent=None)
    old.delete()
    return count


# ---------------------------------------------------------------- a commenter's own data


def commenter_export(email: str) -> list[dict[str, Any]]:
    return [
        {
            "article": c.article.title,
            "written": c.created_at.isoformat(),
            "name": c.name,
            "website": c.website,
            "comment": c.body,
            "status": c.status,
        }
        for c in Comment.objects.filter(email__iexact=email.strip(), erased=False).select_related("article")
    ]


@transaction.atomic
def commenter_erase(email: str, *, remove_texts: bool) -> int:
    """Anonymise the name, e-mail, website, address and browser of every comment sent
    with this address; on request the texts go too. Replies to them stay readable."""
    comments = Comment.objects.filter(email__iexact=email.strip())
    count = comments.count()
    fields: dict[str, Any] = {
        "name": "Anonymous",
        "email": "erased@invalid",
        "website": "",
        "ip": None,
        "user_agent": "",
        "erased": True,
    }
    if remove_texts:
        fields["body"] = "(This comment was removed at its writer's request.)"
        fields["fingerprint"] = ""
        # the copies kept as training data for the spam filter go too
        SpamExample.objects.filter(writer_key=email_key(email)).delete()
    comments.update(**fields)
    return count
