# ruff: noqa: E501  (the articles are prose)
"""Demo content: three articles written for this project, with fictional comments
(one of them waiting in the moderation queue). Called by ``seed_demo``."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from . import actions
from .markdown import plain_text
from .models import Article, Comment, ModerationDecision

if TYPE_CHECKING:
    from individuate.accounts.models import User

ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "what-enmeshment-is",
        "title": "When your feelings are not quite your own: enmeshment, explained",
        "summary": "What enmeshment looks like between a parent and an adult child, why guilt keeps it going, and why it can change.",
        "tags": ["Enmeshment", "Boundaries"],
        "body": """Some families are close. Others are *fused*. In a fused family the edges between people blur: a parent's bad day becomes the child's bad day, and the child — even at thirty or forty — still checks the parent's mood before deciding how to feel.

## How it shows up

- You know how your mother is doing before she says a word, and you adjust yourself to match.
- Saying no to a small request leaves you with guilt out of all proportion to the request.
- Decisions about your job, your partner or your weekend pass through the question "what will they think?"
- Underneath the guilt there is anger, and that anger frightens you, so you push it away.

## Why guilt is the engine

Guilt is what keeps the pattern running. Every unmet request is felt as a small betrayal, and the quickest way to make the feeling stop is to give in. It works for an hour. Then the next request comes.

The anger that builds beside the guilt is not a sign that you are a bad son or daughter. It is the part of you that wants to be a separate person, frustrated that it is not allowed to be.

## It can change

Enmeshment is a pattern, not a verdict on anyone's character. Adult children can step out of it, and parents can learn to hold their own feelings. Both usually go better with support — and neither needs the other's permission to start.
""",
    },
    {
        "slug": "three-steps-for-the-adult-child",
        "title": "Three steps out: space, small separations, a life of your own",
        "summary": "A practical path for adult children: put some distance in place, take small steps apart, and build an identity that belongs to you.",
        "tags": ["Adult children", "Boundaries"],
        "body": """Leaving an enmeshed pattern rarely happens in one brave conversation. It happens in steps, and each step is smaller than you fear.

## 1. Make some space

Physical and practical space come first. That can mean living apart, if you do not already. It can also be as simple as not answering every call the moment it rings. Let a call go to voicemail and ring back in the evening. Nothing terrible happens, and your nervous system starts to learn that.

## 2. Take small steps apart

Pick one ritual — the daily call, the Sunday visit that cannot be missed, the report on every decision — and change just that one. Say it kindly and plainly: *"I'll call on Wednesdays and Sundays from now on. I love talking to you, and I need a bit more room in my week."* Expect protest. Keep the step anyway, and keep it small enough that you can.

## 3. Build a life of your own

Space and boundaries make room; they do not fill it. Notice what *you* enjoy, what you believe, who you like spending time with. Try things without reporting on them. Identity grows from choices that are yours, repeated until they feel ordinary.

You may feel guilt at every step. Guilt is not proof that you did something wrong — often it is just the old pattern noticing the change.
""",
    },
    {
        "slug": "for-parents-getting-help-on-your-own",
        "title": "For parents: getting help on your own",
        "summary": "If you recognise yourself in the parent's side of enmeshment, the most loving step is to get support for yourself — without pulling your child in.",
        "tags": ["Parents", "Enmeshment"],
        "body": """If you are a parent reading about enmeshment and something feels uncomfortably familiar, that discomfort is a good sign. It means you can see the pattern, and seeing it is where change starts.

## Acknowledge it, to yourself first

Perhaps your child's moods have always felt like your own. Perhaps their independence feels like loss, and you find yourself asking for more contact, more news, more reassurance. None of this makes you a bad parent. It usually grew from your own history and from love with nowhere else to go.

## Get support for yourself

The most helpful thing you can do is find support that is *yours*: a counsellor, a group, friends, interests that fill your days. Work on your own feelings with someone other than your child.

## Leave your child out of it

It is tempting to ask your child to come along, to read this too, or to reassure you that things are fine. Resist that. Your child's own healing needs space, and your healing does not need their participation. You can change your side of the pattern on your own — and that, more than any conversation, is what gives the relationship room to breathe.
""",
    },
]

COMMENTS = {
    "what-enmeshment-is": [
        (
            "Robin",
            "robin.demo@example.org",
            "The part about guilt being the engine hit home. I always thought I was just a worrier.",
            "approved",
        ),
        (
            "Jules",
            "jules.demo@example.org",
            "Is it normal to feel angry and guilty at the same time? It feels contradictory.",
            "approved",
        ),
    ],
    "three-steps-for-the-adult-child": [
        (
            "Sam K.",
            "samk.demo@example.org",
            "I let a call go to voicemail yesterday for the first time. Strange, but fine.",
            "approved",
        ),
        (
            "Ari",
            "ari.demo@example.org",
            "How do you handle it when the protest gets really loud after a small step?",
            "pending",
        ),
    ],
    "for-parents-getting-help-on-your-own": [
        (
            "A mother",
            "mother.demo@example.org",
            "Thank you for writing this without blaming us. I have booked a first session for myself.",
            "approved",
        ),
    ],
}


def seed_articles(therapist_user: User) -> list[Article]:
    """Idempotent: existing demo articles (by slug) are left as they are."""
    now = timezone.now()
    made = []
    for i, spec in enumerate(ARTICLES):
        article = Article.objects.filter(slug=spec["slug"]).first()
        if article is None:
            published = now - timedelta(days=21 - 7 * i)
            html = actions.preview(spec["body"])
            article = Article.objects.create(
                author=therapist_user,
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                body=spec["body"],
                body_html=html,
                status=Article.Status.PUBLISHED,
                published_at=published,
                first_published_at=published,
                created_at=published,
                updated_at=published,
                search_text=f"{spec['title']}\n{spec['summary']}\n{plain_text(html)}",
            )
            article.tags.set(actions._tags(spec["tags"]))
            for j, (name, email, body, status) in enumerate(COMMENTS[spec["slug"]]):
                comment = Comment.objects.create(
                    article=article,
                    name=name,
                    email=email,
                    body=body,
                    status=status,
                    created_at=published + timedelta(days=1, hours=j),
                    spam_probability=0.05,
                    held_because="demo comment waiting for a moderator" if status == Comment.Status.PENDING else "",
                )
                ModerationDecision.objects.create(comment=comment, by_filter=True, to_status=status, note="demo data")
        made.append(article)
    return made
