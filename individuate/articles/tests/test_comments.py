"""The comment form's rules, the planted address that never shows, moderation."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from individuate.accounts.models import User
from individuate.articles import actions
from individuate.articles.forms import SALT
from individuate.articles.models import Article, Comment, ModerationDecision, SpamExample

PLANTED = "planted.secret.7f3a@example.net"


def _comment(
    article: Article, name: str, body: str = "hi", status: str = "approved", days_ago: int = 0, **extra: object
) -> Comment:
    """A comment stored as it is (no form, no filter), by NAME at name@example.org unless told."""
    extra.setdefault("email", f"{name.lower()}@example.org")
    if days_ago:
        extra["status_changed_at"] = timezone.now() - timedelta(days=days_ago)
    return Comment.objects.create(article=article, name=name, body=body, status=status, **extra)


def _article(author: User, slug: str = "on-guilt", **extra: object) -> Article:
    article = actions.save_article(
        author, None, title="On guilt", body="Guilt is *loud*.", slug=slug, summary="A short piece.", tags=["Guilt"]
    )
    actions.publish(author, article)
    for k, v in extra.items():
        setattr(article, k, v)
    article.save()
    return article


def _started(seconds_ago: int = 30) -> str:
    return signing.dumps(int(time.time()) - seconds_ago, salt=SALT)


def _form(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "body": "This helped me see why saying no to my mother feels so heavy.",
        "name": "Robin",
        "email": "robin@example.org",
        "website": "",
        "terms": "on",
        "started": _started(),
        "homepage_url": "",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _post(client: Client, article: Article, **over: object):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("articles:article", args=[article.slug]),
        _form(**over),
        REMOTE_ADDR=over.pop("ip", "10.0.0.1") if "ip" in over else "10.0.0.1",
    )


@pytest.fixture
def article(therapist: User) -> Article:
    return _article(therapist)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("name", "Please tell us a name"),
        ("email", "Please give an e-mail address"),
        ("body", "Please write something"),
        ("terms", "Please tick the box to agree to the terms"),
    ],
)
def test_each_required_field_has_a_clear_message_and_nothing_is_stored(
    article: Article, missing: str, message: str
) -> None:
    response = Client().post(reverse("articles:article", args=[article.slug]), _form(**{missing: None}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "does not look like an e-mail address"),
        ("name", "n" * 246, "Names can be up to 245"),
        ("email", "a" * 95 + "@example.org", "up to 100"),
        ("website", "https://example.org/" + "x" * 200, "up to 200"),
        ("body", "x" * 10_001, "up to 10000"),
        ("name", "\u202e\u200b", "Please tell us a name"),
    ],
)
def test_invalid_and_too_long_values_are_refused(article: Article, field: str, value: str, message: str) -> None:
    response = Client().post(reverse("articles:article", args=[article.slug]), _form(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Comment.objects.count() == 0


def test_unicode_tricks_are_removed_from_names(article: Article) -> None:
    Client().post(reverse("articles:article", args=[article.slug]), _form(name="Ro\u202ebin\u200b"))
    assert Comment.objects.get().name == "Robin"


def test_duplicate_is_refused_409_in_the_api_and_stored_once(article: Article) -> None:
    c = Client()
    assert _post(c, article).status_code == 302
    cache_clear()
    again = _post(c, article, ip="10.0.0.2")
    assert again.status_code == 409
    assert "already said that" in again.content.decode()
    api = Client().post(
        f"/api/articles/{article.slug}/comments", _api_body(), content_type="application/json", REMOTE_ADDR="10.0.0.3"
    )
    assert api.status_code == 409
    assert Comment.objects.count() == 1


def cache_clear() -> None:
    from django.core.cache import cache

    cache.clear()


def _api_body(**over: object) -> dict[str, object]:
    body = {
        "name": "Robin",
        "email": "robin@example.org",
        "body": "This helped me see why saying no to my mother feels so heavy.",
        "agree_terms": True,
        "comment_token": _started(),
    }
    body.update(over)
    return body


def test_flood_gets_429_with_a_clear_message(article: Article) -> None:
    c = Client()
    assert _post(c, article).status_code == 302
    second = _post(c, article, body="Another thought, a second later.", email="other@example.org")
    assert second.status_code == 429
    assert "too quickly" in second.content.decode()
    api = Client().post(
        f"/api/articles/{article.slug}/comments",
        _api_body(body="Third", email="x@example.org"),
        content_type="application/json",
        REMOTE_ADDR="10.0.0.1",
    )
    assert api.status_code == 429
    assert Comment.objects.count() == 1


def test_two_links_hold_a_comment_for_moderation_stored_once(article: Article) -> None:
    _post(Client(), article, body="See https://a.example/x and https://b.example/y for more on this.")
    comment = Comment.objects.get()
    assert comment.status in {"pending", "spam"}
    assert "2 links" in comment.held_because


def test_honeypot_filled_goes_to_the_spam_folder_once(article: Article) -> None:
    response = _post(Client(), article, homepage_url="http://bot.example")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == "spam" and "hidden field" in comment.held_because


def test_sent_too_fast_is_held_and_a_forged_start_time_too(article: Article) -> None:
    _post(Client(), article, started=_started(0))
    _post(
        Client(),
        article,
        started="forged",
        body="Another genuine thought about my dad.",
        email="b@example.org",
        ip="10.0.0.9",
    )
    first, second = Comment.objects.order_by("pk")
    assert first.status != "approved" and "within seconds" in first.held_because
    assert second.status != "approved" and "altered" in second.held_because


def test_reply_to_another_articles_comment_or_a_trashed_one_is_refused(article: Article, therapist: User) -> None:
    other = _article(therapist, slug="other")
    theirs = _comment(other, "X")
    trashed = _comment(article, "Y", "hey", "trash")
    for parent in (theirs, trashed):
        cache_clear()
        response = _post(Client(), article, parent=parent.pk, email=f"r{parent.pk}@example.org")
        assert response.status_code == 422
        assert "not on this article" in response.content.decode()
    assert Comment.objects.count() == 2


def test_planted_email_never_appears_in_public_responses(article: Article, therapist: User) -> None:
    comment = _comment(article, "Planter", "A kind word.", email=PLANTED)
    actions.reply(therapist, comment.pk, "Thank you for reading.")
    urls = [
        reverse("articles:article", args=[article.slug]),
        reverse("articles:article_list"),
        reverse("articles:article_tag", args=["guilt"]),
        reverse("articles:article_feed"),
        reverse("articles:article_tag_feed", args=["guilt"]),
        reverse("articles:sitemap"),
        reverse("articles:author_articles", args=[therapist.pk]),
        reverse("articles:article_search") + "?q=guilt",
        "/api/articles",
        f"/api/articles/{article.slug}",
        "/api/openapi.json",
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert PLANTED.encode() not in response.content, url
        assert b"planted.secret" not in response.content, url
    for message in mail.outbox:
        assert PLANTED not in str(message.body) + str(message.subject) + str(message.alternatives)


def test_author_is_emailed_without_the_commenters_address(article: Article) -> None:
    _post(Client(), article, email=PLANTED)
    assert mail.outbox, "the author gets an e-mail"
    message = mail.outbox[-1]
    assert "On guilt" in message.subject
    assert PLANTED not in str(message.body) + str(message.alternatives)


def test_every_status_change_is_recorded_and_spam_stays_in_the_folder(article: Article, therapist: User) -> None:
    _post(Client(), article)
    comment = Comment.objects.get()
    actions.moderate(therapist, [comment.pk], "spam")
    actions.moderate(therapist, [comment.pk], "approve")
    actions.moderate(therapist, [comment.pk], "trash")
    trail = list(
        ModerationDecision.objects.filter(comment=comment).values_list("from_status", "to_status", "by_filter")
    )
    assert trail[0][2] is True and trail[0][0] == ""
    assert trail[1:] == [(trail[0][1], "spam", False), ("spam", "approved", False), ("approved", "trash", False)]
    assert all(d.moderator == therapist for d in ModerationDecision.objects.filter(comment=comment, by_filter=False))
    actions.moderate(therapist, [comment.pk], "spam")
    queue = Client()
    queue.force_login(therapist)
    page = queue.get(reverse("articles:moderation_queue") + "?status=spam").content.decode()
    assert comment.body in page


def test_only_the_author_or_operator_moderates(article: Article, outsider: User) -> None:
    c = _comment(article, "X", status="pending")
    with pytest.raises(Exception, match="No such comment"):
        actions.moderate(outsider, [c.pk], "approve")


def test_approved_commenter_is_approved_at_once_next_time(article: Article, therapist: User) -> None:
    _comment(article, "Robin", "First.")
    _post(Client(), article, body="Thinking about it more, I called my mum less this week and it was fine.")
    assert Comment.objects.latest("pk").status == "approved"


def test_author_reply_is_marked_and_threading_stops_at_depth_three(article: Article, therapist: User) -> None:
    top = _comment(article, "A", "Top")
    answer = actions.reply(therapist, top.pk, "Thank you.")
    assert answer.by_author and answer.status == "approved" and answer.depth == 1
    deeper = _comment(article, "B", "More", parent=answer, depth=2)
    cache_clear()
    deepest = actions.post_comment(
        article, actions.Incoming(name="C", email="c@example.org", body="Even more", parent_id=deeper.pk)
    )
    assert deepest.depth == 2
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "by-author" in page and ">Author<" in page


@pytest.mark.django_db(transaction=True)
def test_trash_and_spam_are_purged_after_30_days_by_the_real_worker(therapist: User) -> None:
    from django.core.management import call_command
    from django.test import override_settings

    article = _article(therapist)
    old = _comment(article, "O", "old", "trash", days_ago=31)
    old_spam = _comment(article, "S", "buy", "spam", days_ago=31)
    fresh = _comment(article, "F", "new", "trash", days_ago=29)
    kept = _comment(article, "K", "ok", days_ago=300)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        from individuate.articles.tasks import purge_old_trash

        purge_old_trash.enqueue()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and old_spam.pk not in remaining
    assert {fresh.pk, kept.pk} <= remaining


def test_commenter_export_and_erasure_by_signed_link(article: Article, therapist: User) -> None:
    held = _comment(article, "Robin", "My held words.", "pending", email=PLANTED)
    theirs = _comment(article, "Else", "Their held words.", "pending")
    actions.moderate(therapist, [held.pk, theirs.pk], "spam")  # both kept as training examples
    assert SpamExample.objects.count() == 2
    mine = _comment(
        article,
        "Robin",
        "My words.",
        email=PLANTED,
        ip="10.1.1.1",
        user_agent="UA",
        website="https://robin.example",
    )
    reply = _comment(article, "Other", "Reply stays.", parent=mine)
    c = Client()
    c.post(reverse("articles:commenter_request"), {"email": PLANTED})
    link = next(m for m in mail.outbox if m.to == [PLANTED])
    path = (
        link.body.split("http://127.0.0.1:8000", 1)[1].split()[0]
        if "127.0.0.1:8000" in link.body
        else link.body.split("/articles/my-comments/", 1)[1].split()[0]
    )
    if not path.startswith("/"):
        path = "/articles/my-comments/" + path
    download = c.get(path + "?download=1")
    assert b"My words." in download.content
    assert c.post(path, {"confirm": "yes", "remove_texts": "yes"}).status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.email, mine.website, mine.ip, mine.user_agent) == (
        "Anonymous",
        "erased@invalid",
        "",
        None,
        "",
    )
    assert "removed at its writer's request" in mine.body
    # the copy kept for the spam filter's training goes with the texts; another person's stays
    assert list(SpamExample.objects.values_list("text", flat=True)) == ["Their held words."]
    reply.refresh_from_db()
    assert reply.body == "Reply stays."
    assert b"Reply stays." in Client().get(article.get_absolute_url()).content
    assert Client().get("/articles/my-comments/forged/").status_code == 400


def test_closed_comments_refuse(therapist: User) -> None:
    article = _article(therapist, comments="closed")
    response = _post(Client(), article)
    assert response.status_code == 403
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_a_huge_offset_on_the_article_list_is_refused_not_a_server_error() -> None:
    from django.test import Client

    response = Client().get("/api/articles", {"offset": "51821180894926738459587560603648"})
    assert response.status_code == 422
    assert Client().get("/api/articles", {"offset": "0"}).status_code == 200


def test_remember_me_sets_a_cookie_only_with_consent(article: Article) -> None:
    from individuate.articles.views import REMEMBER_COOKIE

    c = Client()
    without = _post(c, article)
    assert without.status_code == 302
    assert without.cookies.get(REMEMBER_COOKIE) is None or without.cookies[REMEMBER_COOKIE].value == ""
    cache_clear()
    c = Client()
    opted = _post(c, article, remember="on", body="A second, different thought.", ip="10.0.0.5")
    cookie = opted.cookies[REMEMBER_COOKIE]
    assert cookie.value and cookie["httponly"] and "robin@example.org" not in cookie.value  # signed, not plain
    page = c.get(article.get_absolute_url()).content.decode()
    assert 'value="robin@example.org"' in page and 'value="Robin"' in page  # the form is filled in for them
    assert 'value="robin@example.org"' not in Client().get(article.get_absolute_url()).content.decode()


def test_comments_close_automatically_after_the_sites_number_of_days(therapist: User, settings: object) -> None:
    settings.ARTICLES_CLOSE_COMMENTS_AFTER_DAYS = 90  # type: ignore[attr-defined]
    old = _article(therapist, slug="old", published_at=timezone.now() - timedelta(days=91))
    recent = _article(therapist, slug="recent", published_at=timezone.now() - timedelta(days=89))
    kept_open = _article(therapist, slug="kept", published_at=timezone.now() - timedelta(days=400), comments="open")
    refused = _post(Client(), old)
    assert refused.status_code == 403 and "closed" in refused.content.decode()
    assert "Comments on this article are closed" in Client().get(old.get_absolute_url()).content.decode()
    assert _post(Client(), recent, ip="10.0.0.21").status_code == 302
    assert _post(Client(), kept_open, ip="10.0.0.22").status_code == 302
    assert list(Comment.objects.values_list("article__slug", flat=True).order_by("pk")) == ["recent", "kept"]


def test_moderation_queue_bulk_action_search_and_the_reason_shown(article: Article, therapist: User) -> None:
    a = _comment(article, "Kim", "Cheap watches here", "pending", held_because="2 links")
    b = _comment(article, "Lee", "Buy followers", "pending")
    kept = _comment(article, "Max", "My aunt does this too", "pending")
    c = Client()
    c.force_login(therapist)
    queue = reverse("articles:moderation_queue")
    page = c.get(queue).content.decode()
    assert "2 links" in page  # the filter's reason is shown beside the comment
    found = c.get(queue, {"q": "aunt"}).content.decode()
    assert "My aunt does this too" in found and "Cheap watches" not in found
    assert c.post(queue, {"ids": [a.pk, b.pk], "action": "spam"}).status_code == 302
    assert dict(Comment.objects.values_list("pk", "status")) == {a.pk: "spam", b.pk: "spam", kept.pk: "pending"}
    assert ModerationDecision.objects.filter(to_status="spam", moderator=therapist).count() == 2


def test_moderation_card_holds_its_reply_and_reads_as_one_line(article: Article, therapist: User) -> None:
    import re

    kept = _comment(article, "Max", "My aunt does this too", "pending")
    c = Client()
    c.force_login(therapist)
    page = c.get(reverse("articles:moderation_queue")).content.decode()
    card = page.split('class="card stack comment-row"', 1)[1].split('<div class="card', 1)[0]
    # the head is one wrapping line of text beside the box, not flex columns
    assert re.search(r'<input type="checkbox" name="ids" value="\d+"> <span><strong>Max</strong> on <a ', card)
    # the reply is in the card, its fields tied to a form of its own (forms cannot nest)
    assert "<details" in card and f'form="reply-form-{kept.pk}"' in card and "Reply to Max" in card
    reply = reverse("articles:moderation_reply", args=[kept.pk])
    assert re.search(rf'<form method="post" action="{reply}" id="reply-form-{kept.pk}" hidden>', page)
    comment_form = c.get(article.get_absolute_url()).content.decode()
    assert re.search(
        r'> <span>I agree to the <a href="[^"]+">terms and how comment data is handled</a> \*</span>', comment_form
    )
