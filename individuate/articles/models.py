"""Articles (a therapist's or the site's writing) and readers' comments."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    class Comments(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        AUTO = "auto", "Close automatically after the site's number of days"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="Empty for a site article written by the operator.",
    )
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    cover = models.ImageField(upload_to="articles/covers/", blank=True)
    cover_alt = models.CharField("Cover description", max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    comments = models.CharField(max_length=8, choices=Comments.choices, default=Comments.AUTO)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:article", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def slug_locked(self) -> bool:
        return self.first_published_at is not None

    def comments_open(self, now: object = None) -> bool:
        if not self.is_public or self.comments == self.Comments.CLOSED:
            return False
        if self.comments == self.Comments.AUTO and self.published_at:
            days = settings.ARTICLES_CLOSE_COMMENTS_AFTER_DAYS
            return days <= 0 or (now or timezone.now()) < self.published_at + timedelta(days=days)  # type: ignore[operator]
        return True


class OldSlug(models.Model):
    """A slug an article had before: its address redirects (301) to the current one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=80, unique=True)

    def __str__(self) -> str:
        return self.slug


class ArticleRevision(models.Model):
    """The text as it was before an edit made after first publication."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"revision of {self.article_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="all_comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    depth = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    name = models.CharField(max_length=245)
    email = models.EmailField(max_length=100)
    website = models.URLField(max_length=200, blank=True)
    body = models.TextField(max_length=10_000)
    by_author = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="article_comments"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True, blank=True)
    spam_probability = models.FloatField(null=True, blank=True)
    held_because = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "status_changed_at"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.article_id}"


class ModerationDecision(models.Model):
    """Every status change of a comment: who, when, from what to what."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_filter = models.BooleanField(default=False, help_text="Made by the spam filter on arrival.")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class SpamExample(models.Model):
    """A moderator's spam/genuine decision kept as labelled text for the next retraining."""

    text = models.TextField()
    spam = models.BooleanField()
    topic = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    writer_key = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="SHA-256 of the commenter's e-mail: erasure finds it."
    )

    def __str__(self) -> str:
        return f"{'spam' if self.spam else 'genuine'} example {self.pk}"
