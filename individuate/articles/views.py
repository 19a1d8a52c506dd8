"""Pages: reading, commenting, writing, moderating, feeds, a commenter's own data."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from individuate.core.errors import ActionError
from individuate.core.http import AuthedRequest, attempt, form_errors
from individuate.core.mail import queue_email

from . import actions
from .forms import ArticleForm, CommenterRequestForm, CommentForm, ScheduleForm, start_token
from .models import Article, Comment, Tag

PER_PAGE = 10
REMEMBER_COOKIE = "comment_author"
DATA_SALT = "individuate.articles.commenter-data"


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as login throttling sees it (allauth, set by TRUSTED_PROXY_IP_HEADER)."""
    try:
        return str(get_account_adapter().get_client_ip(request)) or None
    except PermissionDenied:
        return None


def author_box(article: Article) -> dict[str, Any] | None:
    author = article.author
    if author is None or not author.is_therapist:
        return None
    from individuate.practice.actions import profile_of

    profile = getattr(author, "therapist_profile", None)
    practice = profile_of(author)
    return {
        "id": author.pk,
        "name": author.name,
        "credentials": profile.credentials if profile else "",
        "contact_email": profile.contact_email if profile else "",
        "contact_phone": profile.contact_phone if profile else "",
        "public_url": reverse("practice:public_profile", args=[practice.slug]),
        "book_url": reverse("practice:public_profile", args=[practice.slug]) + "#request",
        "articles_url": reverse("articles:author_articles", args=[author.pk]),
    }


# ---------------------------------------------------------------- reading


def article_list(request: HttpRequest, tag: str = "") -> HttpResponse:
    qs = actions.published()
    current = None
    if tag:
        current = get_object_or_404(Tag, slug=tag)
        qs = qs.filter(tags=current)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "articles/list.html",
        {
            "page": page,
            "tag": current,
            "tags": Tag.objects.filter(articles__status=Article.Status.PUBLISHED).distinct(),
        },
    )


def author_articles(request: HttpRequest, author_id: int) -> HttpResponse:
    qs = actions.published().filter(author_id=author_id)
    first = qs.first()
    if first is None:
        raise Http404("No articles by this author.")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "articles/list.html", {"page": page, "author": author_box(first)})


def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    results = list(actions.search(q)[:30]) if q.strip() else []
    return render(request, "articles/search.html", {"q": q, "results": results})


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article, moved = actions.find_article(slug)
    if article is None:
        if moved:
            return HttpResponsePermanentRedirect(reverse("articles:article", args=[moved]))
        raise Http404("No such article.")
    status = 200
    remembered = _remembered(request)
    form = CommentForm(initial={"started": start_token(), **remembered, "remember": bool(remembered)})
    posted: Comment | None = None
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            posted, status = _post(request, article, form)
            if posted is not None:
                response = redirect(f"{article.get_absolute_url()}?sent={posted.status}#comments")
                _remember(response, form)
                return response
        else:
            status = 400
        fresh = request.POST.copy()  # keep what was typed, with a new start time
        fresh["started"] = start_token()
        form = CommentForm(fresh)
        form.is_valid()
    return render(
        request,
        "articles/detail.html",
        {
            "article": article,
            "comments": actions.comment_tree(actions.approved_comments(article)),
            "form": form,
            "open": article.comments_open(),
            "sent": request.GET.get("sent", ""),
            "author": author_box(article),
            "canonical": settings.SITE_ROOT + article.get_absolute_url(),
            "json_ld": _json_ld(article),
            "max_depth": actions.MAX_DEPTH,
        },
        status=status,
    )


def _post(request: HttpRequest, article: Article, form: CommentForm) -> tuple[Comment | None, int]:
    data = form.cleaned_data
    incoming = actions.Incoming(
        name=data["name"],
        email=data["email"],
        body=data["body"],
        website=data.get("website") or "",
        parent_id=data.get("parent"),
        honeypot=data.get("homepage_url") or "",
        too_fast=form.too_fast,
        bad_signature=form.bad_signature,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    try:
        return actions.post_comment(
            article, incoming, user=request.user if request.user.is_authenticated else None
        ), 201  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return None, exc.status


def _remembered(request: HttpRequest) -> dict[str, str]:
    try:
        value = signing.loads(request.COOKIES.get(REMEMBER_COOKIE, ""), salt=REMEMBER_COOKIE)
        return {"name": str(value["name"])[:245], "email": str(value["email"])[:100]}
    except (signing.BadSignature, KeyError, TypeError):
        return {}


def _remember(response: HttpResponse, form: CommentForm) -> None:
    if form.cleaned_data.get("remember"):
        value = signing.dumps(
            {"name": form.cleaned_data["name"], "email": form.cleaned_data["email"]}, salt=REMEMBER_COOKIE
        )
        response.set_cookie(
            REMEMBER_COOKIE,
            value,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(REMEMBER_COOKIE)


def _json_ld(article: Article) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "mainEntityOfPage": settings.SITE_ROOT + article.get_absolute_url(),
        "author": {"@type": "Person", "name": article.author.name}
        if article.author
        else {"@type": "Organization", "name": settings.SITE_NAME},
    }
    if article.cover:
        data["image"] = settings.SITE_ROOT + article.cover.url
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def comment_terms(request: HttpRequest) -> HttpResponse:
    from . import akismet_backend

    return render(
        request,
        "articles/terms.html",
        {"akismet": akismet_backend.enabled(), "trash_days": settings.ARTICLES_TRASH_DAYS},
    )


# ---------------------------------------------------------------- feeds, sitemap, robots


class SiteFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.SITE_NAME} — articles"
    subtitle = "Writing on enmeshment, boundaries and healing."

    def link(self) -> str:
        return reverse("articles:article_list")

    def items(self) -> Any:
        return actions.published()[:20]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary or item.body_html[:2000]

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.author.name if item.author else settings.SITE_NAME


class TagFeed(SiteFeed):
    def get_object(self, request: HttpRequest, tag: str) -> Tag:  # type: ignore[override]
        return get_object_or_404(Tag, slug=tag)

    def title(self, obj: Tag) -> str:  # type: ignore[override]
        return f"{settings.SITE_NAME} — articles tagged {obj.name}"

    def link(self, obj: Tag) -> str:  # type: ignore[override]
        return reverse("articles:article_tag", args=[obj.slug])

    def items(self, obj: Tag) -> Any:  # type: ignore[override]
        return actions.published().filter(tags=obj)[:20]


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /articles/write/",
        "Disallow: /articles/moderation/",
        "Disallow: /articles/my-comments/",
        "Disallow: /api/",
        "Disallow: /accounts/",
        f"Sitemap: {settings.SITE_ROOT}{reverse('articles:sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


# ---------------------------------------------------------------- writing


def _writer(view: Any) -> Any:
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not actions.may_write(request.user):  # type: ignore[arg-type]
            return render(request, "articles/need_mfa.html", status=403)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _own(request: AuthedRequest, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id).first()
    if article is None or not actions.may_manage(request.user, article):  # type: ignore[arg-type]
        raise Http404("No such article.")
    return article


@_writer
def my_articles(request: AuthedRequest) -> HttpResponse:
    qs = Article.objects.all() if request.user.is_superuser else Article.objects.filter(author=request.user)
    return render(request, "articles/mine.html", {"articles": qs.order_by("-updated_at")})


#: Session key: the drafts a new-article page has already created, by the page's draft key.
_DRAFTS = "articles_new_drafts"


def _started_draft(request: AuthedRequest) -> Article | None:
    """The draft that this new-article page (its ``draft_key``) already autosaved, if any."""
    pk = request.session.get(_DRAFTS, {}).get(str(request.POST.get("draft_key", ""))[:64])
    try:
        return _own(request, pk) if pk else None
    except Http404:  # deleted since, or no longer theirs: a new draft then
        return None


@_writer
def edit(request: AuthedRequest, article_id: int | None = None) -> HttpResponse:
    article = _own(request, article_id) if article_id else None
    if article is None and request.method == "POST":
        article = _started_draft(request)  # Save pressed after the first autosave: the same draft
    initial = {}
    if article:
        initial = {
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": article.body,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "comments": article.comments,
            "cover_alt": article.cover_alt,
        }
    form = ArticleForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            saved = attempt(
                request,
                lambda: actions.save_article(
                    request.user,
                    article,
                    title=d["title"],
                    body=d["body"],
                    summary=d["summary"],
                    slug=d["slug"],  # type: ignore[arg-type]
                    tags=form.tag_list(),
                    comments=d["comments"],
                    cover=d.get("cover"),
                    cover_alt=d["cover_alt"],
                    site_article=bool(request.POST.get("site_article")),
                ),
                "Saved.",
            )
            if saved is not None:
                return redirect("articles:article_edit", saved.pk)
            status = 400
        else:
            form_errors(request, form)
            status = 400
    return render(
        request,
        "articles/edit.html",
        {"form": form, "article": article, "schedule": ScheduleForm(), "draft_key": secrets.token_urlsafe(16)},
        status=status,
    )


@_writer
@require_POST
def preview(request: AuthedRequest) -> HttpResponse:
    try:
        html = actions.preview(request.POST.get("body", ""))
    except ActionError as exc:
        return HttpResponse(f'<p class="error">{exc.message}</p>', status=422)
    return HttpResponse(html or '<p class="muted">Nothing to preview yet.</p>')


@_writer
@require_POST
def autosave(request: AuthedRequest, article_id: int) -> HttpResponse:
    article = _own(request, article_id)
    try:
        actions.autosave(
            request.user,  # type: ignore[arg-type]
            article,
            request.POST.get("body", ""),
            request.POST.get("title", ""),
        )
    except ActionError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return HttpResponse(f"Draft kept at {timezone.localtime().strftime('%H:%M:%S')}.")


@_writer
@require_POST
def autosave_new(request: AuthedRequest) -> HttpResponse:
    """The first autosave on the new-article page: creates the draft, then hands the page
    the draft's own autosave (an out-of-band swap) and address (``HX-Replace-Url``); the
    form has no action, so Save then posts to the draft's edit page."""
    title, body = request.POST.get("title", ""), request.POST.get("body", "")
    key = str(request.POST.get("draft_key", ""))[:64]
    article = _started_draft(request) if key else None
    try:
        if article is not None:
            actions.autosave(request.user, article, body, title)  # type: ignore[arg-type]
        elif not title.strip() and not body.strip():
            return HttpResponse(status=204)
        else:
            article = actions.start_draft(
                request.user,  # type: ignore[arg-type]
                title=title,
                body=body,
                site_article=bool(request.POST.get("site_article")),
            )
            if key:
                drafts = dict(request.session.get(_DRAFTS, {}))
                drafts = dict(list(drafts.items())[-19:])  # the last few pages are enough
                drafts[key] = article.pk
                request.session[_DRAFTS] = drafts
    except ActionError as exc:
        return HttpResponse(exc.message, status=exc.status)
    trigger = render_to_string("articles/_autosave_trigger.html", {"article": article, "oob": True}, request=request)
    response = HttpResponse(f"Draft kept at {timezone.localtime().strftime('%H:%M:%S')}.{trigger}")
    response["HX-Replace-Url"] = reverse("articles:article_edit", args=[article.pk])
    return response


@_writer
@require_POST
def publish(request: AuthedRequest, article_id: int) -> HttpResponse:
    article = _own(request, article_id)
    when = None
    if request.POST.get("publish_at"):
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return redirect("articles:article_edit", article.pk)
        when = form.cleaned_data["publish_at"]
    attempt(request, lambda: actions.publish(request.user, article, when), "Scheduled." if when else "Published.")  # type: ignore[arg-type]
    return redirect("articles:article_edit", article.pk)


@_writer
@require_POST
def unpublish(request: AuthedRequest, article_id: int) -> HttpResponse:
    article = _own(request, article_id)
    attempt(request, lambda: actions.unpublish(request.user, article), "Taken off the site.")  # type: ignore[arg-type]
    return redirect("articles:article_edit", article.pk)


@_writer
def revisions(request: AuthedRequest, article_id: int) -> HttpResponse:
    import difflib

    article = _own(request, article_id)
    versions = list(article.revisions.select_related("editor"))
    diffs = []
    newer_body = article.body
    for rev in versions:
        diff = difflib.unified_diff(rev.body.splitlines(), newer_body.splitlines(), "before", "after", lineterm="")
        diffs.append((rev, "\n".join(diff)))
        newer_body = rev.body
    return render(request, "articles/revisions.html", {"article": article, "diffs": diffs})


# ---------------------------------------------------------------- moderation


@_writer
def moderation_queue(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        # A button on one comment sends "action:id"; the bulk buttons act on the ticked ones.
        one_action, _, one_id = request.POST.get("one", "").partition(":")
        if one_id.isdigit():
            ids, action = [int(one_id)], one_action
        else:
            ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            action = request.POST.get("action", "")
        attempt(request, lambda: actions.moderate(request.user, ids, action), "Done.")  # type: ignore[arg-type]
        return redirect(request.get_full_path())
    status = request.GET.get("status", Comment.Status.PENDING)
    if status not in Comment.Status.values:
        status = Comment.Status.PENDING
    qs = actions.moderation_queryset(request.user).filter(status=status).order_by("-created_at")  # type: ignore[arg-type]
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = actions.search_comments(qs, q)
    counts = {s: actions.moderation_queryset(request.user).filter(status=s).count() for s in Comment.Status.values}  # type: ignore[arg-type]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "articles/moderation.html",
        {"page": page, "status": status, "q": q, "counts": counts, "statuses": Comment.Status.choices},
    )


@_writer
@require_POST
def moderation_reply(request: AuthedRequest, comment_id: int) -> HttpResponse:
    body = request.POST.get("body", "").strip()
    if not body:
        messages.error(request, "Write a reply first.")
    else:
        attempt(request, lambda: actions.reply(request.user, comment_id, body), "Your reply is on the page.")  # type: ignore[arg-type]
    return redirect("articles:moderation_queue")


# ---------------------------------------------------------------- a commenter's data


def commenter_request(request: HttpRequest) -> HttpResponse:
    form = CommenterRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if Comment.objects.filter(email__iexact=email, erased=False).exists():
            token = signing.dumps({"email": email.lower()}, salt=DATA_SALT)
            queue_email(
                "articles/commenter-link", to=email, context={"path": reverse("articles:commenter_data", args=[token])}
            )
        # The same answer either way: the page does not reveal who commented.
        messages.success(request, "If that address wrote comments here, a link is on its way to it (valid for 3 days).")
        return redirect("articles:commenter_request")
    return render(request, "articles/commenter_request.html", {"form": form})


def commenter_data(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = signing.loads(token, salt=DATA_SALT, max_age=3 * 86400)["email"]
    except (signing.BadSignature, KeyError, TypeError):
        return render(
            request, "articles/commenter_request.html", {"form": CommenterRequestForm(), "expired": True}, status=400
        )
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm.")
        else:
            n = actions.commenter_erase(email, remove_texts=request.POST.get("remove_texts") == "yes")
            messages.success(request, f"Done: {n} comment(s) no longer carry your name or address.")
            return redirect("articles:article_list")
    if request.GET.get("download"):
        response = HttpResponse(
            json.dumps(actions.commenter_export(email), indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
        return response
    return render(request, "articles/commenter_data.html", {"comments": actions.commenter_export(email)})
