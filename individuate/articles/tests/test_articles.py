"""Writing, publishing, reading: slugs, revisions, scheduling, feeds, sitemap, search, images, API."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_therapist_user
from individuate.accounts.models import User
from individuate.articles import actions
from individuate.articles.demo import seed_articles
from individuate.articles.models import Article, Comment
from individuate.core.errors import ActionError


def _published(author: User, title: str = "Small steps apart", slug: str = "") -> Article:
    a = actions.save_article(
        author,
        None,
        title=title,
        body="Say it *kindly* and plainly.",
        slug=slug,
        summary="One ritual at a time.",
        tags=["Boundaries"],
    )
    return actions.publish(author, a)


def test_writing_needs_a_therapist_with_two_factor(alice: User, db: None) -> None:
    no_mfa = make_therapist_user("nomfa@example.com", "Dr. No MFA", mfa=False)
    for user in (alice, no_mfa):
        with pytest.raises(ActionError, match="two-factor"):
            actions.save_article(user, None, title="x", body="y")
        c = Client()
        c.force_login(user)
        assert c.get(reverse("articles:article_new")).status_code == 403


def test_old_slug_redirects_301_and_locks_after_publication(therapist: User) -> None:
    a = actions.save_article(therapist, None, title="First title", body="Text")
    assert a.slug == "first-title"
    a = actions.save_article(therapist, a, title="Better title", body="Text", slug="better-title")
    actions.publish(therapist, a)
    response = Client().get("/articles/first-title/")
    assert response.status_code == 301 and response["Location"] == "/articles/better-title/"
    with pytest.raises(ActionError, match="cannot change"):
        actions.save_article(therapist, a, title="Better title", body="Text", slug="third")


def test_slug_clash_is_a_clear_conflict(therapist: User) -> None:
    _published(therapist, slug="taken")
    with pytest.raises(ActionError, match="taken") as exc:
        actions.save_article(therapist, None, title="Other", body="x", slug="taken")
    assert exc.value.status == 409
    assert Article.objects.count() == 1


def test_edits_after_publication_keep_revisions_with_a_diff(therapist: User) -> None:
    a = _published(therapist)
    actions.save_article(therapist, a, title=a.title, body="Say it kindly, plainly and once.", summary=a.summary)
    assert a.revisions.count() == 1
    c = Client()
    c.force_login(therapist)
    page = c.get(reverse("articles:article_revisions", args=[a.pk])).content.decode()
    assert "-Say it *kindly* and plainly." in page and "+Say it kindly, plainly and once." in page


def test_autosave_keeps_draft_text_and_preview_renders(therapist: User) -> None:
    a = actions.save_article(therapist, None, title="Draft", body="")
    c = Client()
    c.force_login(therapist)
    # a draft saved with a title only autosaves too (the trigger was missing while the text was empty)
    editor = c.get(reverse("articles:article_edit", args=[a.pk])).content.decode()
    assert f'hx-post="{reverse("articles:article_autosave", args=[a.pk])}"' in editor
    assert c.post(reverse("articles:article_autosave", args=[a.pk]), {"body": "half a thought"}).status_code == 200
    a.refresh_from_db()
    assert a.body == "half a thought"
    preview = c.post(reverse("articles:article_preview"), {"body": "**bold** <script>x</script>"})
    assert b"<strong>bold</strong>" in preview.content and b"<script" not in preview.content
    bomb = c.post(reverse("articles:article_preview"), {"body": ">" * 500})
    assert bomb.status_code == 422 and b"nested" in bomb.content


def test_a_new_article_is_kept_from_its_first_autosave(therapist: User) -> None:
    c = Client()
    c.force_login(therapist)
    page = c.get(reverse("articles:article_new")).content.decode()
    create = reverse("articles:article_autosave_new")
    assert f'hx-post="{create}"' in page and "input from:#id_title" in page
    key = page.split('name="draft_key" id="id_draft_key" value="', 1)[1].split('"', 1)[0]
    assert len(key) >= 16
    # nothing typed yet: nothing stored
    assert c.post(create, {"title": " ", "body": "", "draft_key": key}).status_code == 204
    assert not Article.objects.exists()
    # the first words of the text, no title yet: a draft, and the page is handed its address and autosave
    first = c.post(create, {"title": "", "body": "My mother calls", "draft_key": key})
    assert first.status_code == 200 and b"Draft kept" in first.content
    a = Article.objects.get()
    assert (a.status, a.body, a.author, a.title) == (
        Article.Status.DRAFT,
        "My mother calls",
        therapist,
        "Untitled draft",
    )
    assert first["HX-Replace-Url"] == reverse("articles:article_edit", args=[a.pk])
    own = reverse("articles:article_autosave", args=[a.pk])
    assert f'hx-post="{own}"' in first.content.decode() and 'hx-swap-oob="true"' in first.content.decode()
    # a request still queued on the old trigger, and Save before the address changed: the same draft
    assert c.post(create, {"title": "Calls", "body": "My mother calls every day", "draft_key": key}).status_code == 200
    form = {"title": "Daily calls", "body": "All of it.", "comments": "auto", "draft_key": key}
    saved = c.post(reverse("articles:article_new"), form)
    assert saved.status_code == 302 and saved["Location"] == reverse("articles:article_edit", args=[a.pk])
    a.refresh_from_db()
    assert Article.objects.count() == 1 and (a.title, a.body) == ("Daily calls", "All of it.")
    assert a.slug == "calls"  # an untitled draft's address followed its first title ("Calls"), then stays
    # the draft's own autosave keeps the title as well
    assert c.post(own, {"title": "Daily calls, again", "body": "More."}).status_code == 200
    a.refresh_from_db()
    assert (a.title, a.body, a.slug) == ("Daily calls, again", "More.", "calls")
    # another page (another key) is another draft; someone else's key is no way in
    assert c.post(create, {"title": "Second", "body": "", "draft_key": "other"}).status_code == 200
    assert Article.objects.count() == 2
    # a text that cannot be rendered yet (deep nesting) is kept all the same
    assert c.post(create, {"title": "", "body": ">" * 500, "draft_key": "third"}).status_code == 200
    assert Article.objects.filter(body=">" * 500, title="Untitled draft").count() == 1
    other = make_therapist_user("other-writer@example.com", "Other Writer")
    c.force_login(other)
    assert c.post(create, {"title": "Mine", "body": "", "draft_key": key}).status_code == 200
    assert Article.objects.filter(author=other).count() == 1
    a.refresh_from_db()
    assert a.title == "Daily calls, again"


@pytest.mark.django_db(transaction=True)
def test_scheduling_publishes_through_the_worker_and_refuses_the_past() -> None:
    from django.core.management import call_command
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    writer = make_therapist_user("writer@example.com", "Dr. Writer")
    a = actions.save_article(writer, None, title="Later", body="Soon.")
    with pytest.raises(ActionError, match="future"):
        actions.publish(writer, a, timezone.now() - timedelta(minutes=1))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        actions.publish(writer, a, timezone.now() + timedelta(hours=2))
        a.refresh_from_db()
        assert a.status == "scheduled"
        DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    a.refresh_from_db()
    assert a.status == "published" and a.published_at is not None


def test_unpublished_articles_are_not_public(therapist: User) -> None:
    a = _published(therapist)
    actions.unpublish(therapist, a)
    assert Client().get(a.get_absolute_url()).status_code == 404


def test_feed_and_sitemap_parse_and_list_the_article(therapist: User) -> None:
    a = _published(therapist)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for url in (reverse("articles:article_feed"), reverse("articles:article_tag_feed", args=["boundaries"])):
        root = ET.fromstring(Client().get(url).content)
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        assert [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)] == [a.title]
    sitemap = ET.fromstring(Client().get("/sitemap.xml").content)
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(a.get_absolute_url()) for loc in locs)
    robots = Client().get("/robots.txt").content.decode()
    assert "Sitemap:" in robots and "Disallow: /articles/moderation/" in robots


def test_article_page_has_meta_json_ld_author_box_and_reading_measure(therapist: User) -> None:
    import json
    import re

    a = _published(therapist)
    page = Client().get(a.get_absolute_url()).content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/articles/small-steps-apart/">' in page
    assert 'property="og:title"' in page and 'name="twitter:card"' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["@type"] == "Article" and ld["headline"] == a.title
    assert "Request an appointment" in page and "/t/" in page
    assert "crisis" in page
    assert 'href="/static/articles/articles.css"' in page or "articles.css" in page
    from django.contrib.staticfiles import finders

    css = open(finders.find("articles/articles.css"), encoding="utf-8").read()  # noqa: SIM115
    assert ".reading { max-width: 65ch;" in css and "@media print" in css


def test_list_paginates_and_search_finds(therapist: User) -> None:
    for i in range(12):
        _published(therapist, title=f"Piece number {i}")
    first = Client().get(reverse("articles:article_list")).content.decode()
    assert "Piece number 11" in first and "Page 1 of 2" in first
    found = Client().get(reverse("articles:article_search") + "?q=number").content.decode()
    assert "Piece number 3" in found
    assert "No article matches" in Client().get(reverse("articles:article_search") + "?q=zebras").content.decode()


def _png(size: tuple[int, int] = (2400, 1200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(out, "PNG")
    return out.getvalue()


def test_cover_images_are_checked_and_resized(therapist: User, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    a = actions.save_article(
        therapist, None, title="Covered", body="x", cover=SimpleUploadedFile("c.png", _png(), "image/png")
    )
    from PIL import Image

    with a.cover.open("rb") as fh, Image.open(fh) as img:
        assert img.width == 1600 and img.format == "JPEG"
    with pytest.raises(ActionError, match="not an image"):
        actions.save_article(therapist, None, title="Bad", body="x", cover=SimpleUploadedFile("x.png", b"not an image"))
    big = SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ActionError, match="5 MB"):
        actions.save_article(therapist, None, title="Big", body="x", cover=big)
    assert Article.objects.filter(title__in=["Bad", "Big"]).count() == 0


def test_api_public_read_and_writer_manage(therapist: User, alice: User) -> None:
    a = _published(therapist)
    listing = Client().get("/api/articles").json()
    assert listing[0]["slug"] == a.slug and "email" not in str(listing)
    assert Client().get("/api/articles/nope").status_code == 404
    assert Client().get("/api/my/articles").status_code == 401
    c = Client()
    c.force_login(alice)
    assert c.get("/api/my/articles").status_code == 403
    c.force_login(therapist)
    made = c.post(
        "/api/my/articles", {"title": "Via API", "body": "Hello", "publish": True}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["status"] == "published"
    clash = c.post("/api/my/articles", {"title": "Again", "slug": "via-api"}, content_type="application/json")
    assert clash.status_code == 409
    bad = Client().post(
        f"/api/articles/{a.slug}/comments",
        {"name": "R", "email": "nope", "body": "x", "agree_terms": True},
        content_type="application/json",
    )
    assert bad.status_code == 422
    no_terms = Client().post(
        f"/api/articles/{a.slug}/comments",
        {"name": "R", "email": "r@example.org", "body": "x", "agree_terms": False},
        content_type="application/json",
    )
    assert no_terms.status_code == 422
    ok = Client().post(
        f"/api/articles/{a.slug}/comments",
        {"name": "R", "email": "r@example.org", "body": "Thank you for this.", "agree_terms": True},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["status"] == "pending"  # no form token: a human looks
    queue = c.get("/api/my/comments").json()
    assert queue[0]["name"] == "R"
    assert c.post(
        "/api/my/comments/moderate", {"ids": [queue[0]["id"]], "action": "approve"}, content_type="application/json"
    ).json() == {"changed": 1}
    assert Comment.objects.get().status == "approved"


def test_demo_seed_three_articles_one_pending(therapist: User) -> None:
    made = seed_articles(therapist)
    assert len(made) == 3 and seed_articles(therapist) == made
    assert Comment.objects.filter(status="pending").count() == 1
    for a in made:
        page = Client().get(a.get_absolute_url())
        assert page.status_code == 200 and b"<script>" not in a.body_html.encode()


def test_api_writer_edits_schedules_publishes_unpublishes_and_replies(therapist: User, alice: User) -> None:
    from individuate.articles.models import ArticleRevision

    c = Client()
    c.force_login(therapist)
    # create and publish in one call is all or nothing: an empty text cannot be published
    empty = c.post("/api/my/articles", {"title": "Empty", "publish": True}, content_type="application/json")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    assert not Article.objects.filter(title="Empty").exists()
    made = c.post("/api/my/articles", {"title": "Draft one", "body": "First words."}, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "draft"
    aid = made.json()["id"]
    url = f"/api/my/articles/{aid}"
    edit = {"title": "Draft one", "body": "Better words.", "slug": "draft-one-renamed", "comments": "open"}
    assert c.put(url, edit, content_type="application/json").status_code == 200
    got = c.get(url).json()
    assert (got["slug"], got["body"], got["comments"], got["slug_locked"]) == (
        "draft-one-renamed",
        "Better words.",
        "open",
        False,
    )
    # scheduling in the past: refused, nothing changes
    past = c.post(f"{url}/publish", {"at": "2020-01-01T10:00:00Z"}, content_type="application/json")
    assert past.status_code == 422 and "future" in past.json()["detail"]
    assert Article.objects.get(pk=aid).status == "draft"
    later = (timezone.now() + timedelta(days=2)).isoformat()
    scheduled = c.post(f"{url}/publish", {"at": later}, content_type="application/json")
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    now = c.post(f"{url}/publish", {}, content_type="application/json")
    assert now.status_code == 200 and now.json()["status"] == "published"
    assert Client().get("/articles/draft-one/").status_code == 301  # the old address moved
    # after publication: the slug is fixed, an edit keeps a revision
    locked = c.put(url, {**edit, "slug": "third"}, content_type="application/json")
    assert locked.status_code == 422 and "cannot change" in locked.json()["detail"]
    assert c.put(url, {**edit, "body": "Best words."}, content_type="application/json").status_code == 200
    assert ArticleRevision.objects.filter(article_id=aid).values_list("body", flat=True)[0] == "Better words."
    # the moderation queue: search, and the author's reply
    article = Article.objects.get(pk=aid)
    Comment.objects.create(article=article, name="Kim", email="k@example.org", body="About my aunt", status="pending")
    Comment.objects.create(article=article, name="Lee", email="l@example.org", body="About my dad", status="pending")
    found = c.get("/api/my/comments", {"q": "aunt"}).json()
    assert [x["name"] for x in found] == ["Kim"]
    answered = c.post(
        f"/api/my/comments/{found[0]['id']}/reply", {"body": "Thank you, Kim."}, content_type="application/json"
    )
    assert answered.status_code == 201 and answered.json()["status"] == "approved"
    shown = Client().get(f"/api/articles/{article.slug}").json()["comments"]
    assert [(x["name"], x["by_author"]) for x in shown] == [("Kim", False), (therapist.name, True)]
    assert c.post(f"{url}/unpublish").json()["status"] == "unpublished"
    assert Client().get(article.get_absolute_url()).status_code == 404
    # someone else's article: 404 for a writer, 403 for a non-writer, 401 signed out
    other = make_therapist_user("other.writer@example.com", "Dr. Other")
    o = Client()
    o.force_login(other)
    assert o.get(url).status_code == 404
    assert o.post(f"{url}/publish", {}, content_type="application/json").status_code == 404
    assert (
        o.post(f"/api/my/comments/{found[0]['id']}/reply", {"body": "x"}, content_type="application/json").status_code
        == 404
    )
    a = Client()
    a.force_login(alice)
    assert a.put(url, edit, content_type="application/json").status_code == 403
    assert Client().post(f"{url}/unpublish").status_code == 401
    assert Article.objects.get(pk=aid).status == "unpublished"


def test_operator_reply_on_a_therapists_article_is_published_not_held(therapist: User, db: None) -> None:
    operator = User.objects.create_superuser(email="op@example.com", password="x-Very-long-1")  # type: ignore[call-arg]
    a = _published(therapist)
    top = Comment.objects.create(article=a, name="Kim", email="k@example.org", body="Hello", status="pending")
    answer = actions.reply(operator, top.pk, "The site team read this.")
    assert answer.status == "approved" and not answer.by_author
