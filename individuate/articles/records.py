"""The articles app's part of a person's export and account deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from individuate.core.records import iso

from .models import Article, Comment

if TYPE_CHECKING:
    from individuate.accounts.models import User


def export_articles(owner: User) -> list[dict[str, Any]]:
    out = []
    for a in Article.objects.filter(author=owner).prefetch_related("revisions", "tags"):
        out.append(
            {
                "title": a.title,
                "address": a.slug,
                "status": a.status,
                "summary": a.summary,
                "body": a.body,
                "tags": [t.name for t in a.tags.all()],
                "published": iso(a.published_at),
                "revisions": [{"at": iso(r.created_at), "title": r.title, "body": r.body} for r in a.revisions.all()],
            }
        )
    for c in Comment.objects.filter(user=owner).select_related("article"):
        out.append({"reply_on": c.article.title, "written": iso(c.created_at), "text": c.body})
    return out


def erase_author(owner: User) -> None:
    """A therapist's articles go with their account (and with them the comments on them)."""
    Article.objects.filter(author=owner).delete()
    Comment.objects.filter(user=owner).delete()
