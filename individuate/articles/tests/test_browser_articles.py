"""On a phone (390×844): the therapist writes an article (live preview) and publishes it; a
visitor finds it on /articles/, comments (one error, fixed), waits for moderation; the
therapist approves from the queue; the comment appears; the author box leads to the
appointment form. Screenshots: test-artifacts/browser/articles-*.png."""

from __future__ import annotations

import re
import time as _time
from typing import Any

import pytest

from conftest import make_therapist_user
from individuate.articles.demo import seed_articles
from individuate.articles.models import Article, Comment
from individuate.testing.browser import (
    ARTIFACTS,
    browser,
    check_crisis_link,
    clear_screenshots,
    playwright,
    session_cookie,
)


@pytest.mark.browser
def test_visitor_comments_and_therapist_approves(live_server: Any) -> None:
    expect, sync_playwright = playwright()
    clear_screenshots("articles-")
    therapist = make_therapist_user("writer.browser@example.com", "Dr. Writer")
    seed_articles(therapist)

    with browser(sync_playwright, expect) as new_context:

        def shot(p: Any, name: str) -> None:
            p.screenshot(path=str(ARTIFACTS / f"articles-{name}.png"), full_page=True)

        # The therapist writes and publishes from the phone.
        writer_context = new_context()
        writer_context.add_cookies([session_cookie(therapist, live_server.url)])
        writer = writer_context.new_page()
        writer.goto(f"{live_server.url}/articles/write/new/", timeout=60_000)
        writer.locator("#id_title").fill("Sunday lunch, said kindly")
        writer.locator("#id_summary").fill("One ritual changed at a time.")
        writer.locator("#id_body").fill("## Say it once\n\nTell them **kindly** that you will come every other week.")
        expect(writer.locator("#preview strong")).to_have_text("kindly")  # the live preview (htmx)
        # Kept before the first Save: the first autosave creates the draft and moves the page to it.
        expect(writer.locator("#autosave-state")).to_contain_text("Draft kept", timeout=20_000)
        expect(writer).to_have_url(re.compile(r"/articles/write/\d+/$"))
        draft = Article.objects.get(title="Sunday lunch, said kindly")
        assert draft.status == Article.Status.DRAFT and "kindly" in draft.body
        writer.locator("#id_tags").fill("Boundaries")
        writer.locator("#article-form").get_by_role("button", name="Save").click()
        expect(writer.locator(".messages")).to_contain_text("Saved")
        assert writer.url.endswith(f"/articles/write/{draft.pk}/")
        assert Article.objects.filter(title="Sunday lunch, said kindly").count() == 1  # saved into the same draft
        shot(writer, "00-editor")
        writer.get_by_role("button", name="Publish now").click()
        expect(writer.locator(".messages")).to_contain_text("Published")
        assert Article.objects.get(title="Sunday lunch, said kindly").status == "published"

        page = new_context().new_page()
        page.goto(f"{live_server.url}/articles/", timeout=60_000)
        check_crisis_link(page, expect)
        shot(page, "01-list")
        page.get_by_role("link", name="Sunday lunch, said kindly").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Sunday lunch")
        expect(page.locator(".prose h2")).to_have_text("Say it once")
        book = page.get_by_role("link", name="Request an appointment")
        expect(book).to_have_attribute("href", "/t/dr-writer/#request")
        shot(page, "02-article")

        form = page.locator("form.comment-form")
        form.locator("#id_body").fill("The voicemail idea helped. I tried it twice this week.")
        form.locator("#id_name").fill("Morgan")
        form.locator("#id_terms").check()
        _time.sleep(3.2)
        form.get_by_role("button", name="Post comment").click()
        expect(page.locator(".comment-form .errorlist")).to_contain_text("Please give an e-mail address")
        shot(page, "03-error")
        form = page.locator("form.comment-form")
        expect(form.locator("#id_body")).to_have_value("The voicemail idea helped. I tried it twice this week.")
        form.locator("#id_email").fill("morgan@example.org")
        form.locator("#id_terms").check()
        _time.sleep(3.2)
        form.get_by_role("button", name="Post comment").click()
        expect(page.locator("#comments .notice")).to_contain_text("awaiting moderation")
        shot(page, "04-awaiting")
        comment = Comment.objects.get(name="Morgan")
        assert comment.status == "pending"
        article_url = page.url.split("?")[0]

        mod = writer_context.new_page()
        mod.goto(f"{live_server.url}/articles/moderation/")
        row = mod.locator(".comment-row").filter(has_text="The voicemail idea helped")
        expect(row).to_be_visible()
        shot(mod, "05-queue")
        row.get_by_role("button", name="Approve").click()
        expect(mod.locator(".messages")).to_contain_text("Done")

        page.goto(article_url)
        expect(page.locator("#comments")).to_contain_text("The voicemail idea helped")
        assert "morgan@example.org" not in page.content()
        shot(page, "06-published")
        page.get_by_role("link", name="Request an appointment").click()
        expect(page.locator("form#request")).to_be_in_viewport()  # the link lands on the form itself
        expect(page.locator("form#request h2")).to_have_text("Request an appointment")
        shot(page, "07-appointment-form")
    comment.refresh_from_db()
    assert comment.status == "approved"
