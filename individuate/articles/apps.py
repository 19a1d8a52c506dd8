from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "individuate.articles"
    label = "articles"
    verbose_name = "Articles and comments"

    def ready(self) -> None:
        from individuate.core.housekeeping import register_nightly
        from individuate.core.records import leave_out, register_eraser, register_exporter

        from . import records
        from .actions import purge_trash

        register_nightly("comment_trash", purge_trash)  # trash is kept 30 days, then purged
        from .models import Article, ArticleRevision, Comment, ModerationDecision

        register_exporter(
            "articles",
            records.export_articles,
            label="Articles you wrote, their revisions and your replies",
            models=[Article, ArticleRevision, Comment],
        )
        register_eraser("articles", records.erase_author, models=[Article, ArticleRevision, Comment])
        leave_out(
            ModerationDecision,
            "The moderation log records which moderator changed a comment's status; it names no commenter "
            "and its moderator link is cleared (SET_NULL) when the moderator's account goes.",
        )
