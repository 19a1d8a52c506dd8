from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .sitemaps import ArticleSitemap

app_name = "articles"

urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/feed/", views.SiteFeed(), name="article_feed"),
    path("articles/search/", views.search, name="article_search"),
    path("articles/terms/", views.comment_terms, name="comment_terms"),
    path("articles/tag/<slug:tag>/", views.article_list, name="article_tag"),
    path("articles/tag/<slug:tag>/feed/", views.TagFeed(), name="article_tag_feed"),
    path("articles/by/<int:author_id>/", views.author_articles, name="author_articles"),
    path("articles/write/", views.my_articles, name="my_articles"),
    path("articles/write/new/", views.edit, name="article_new"),
    path("articles/write/new/autosave/", views.autosave_new, name="article_autosave_new"),
    path("articles/write/preview/", views.preview, name="article_preview"),
    path("articles/write/<int:article_id>/", views.edit, name="article_edit"),
    path("articles/write/<int:article_id>/autosave/", views.autosave, name="article_autosave"),
    path("articles/write/<int:article_id>/publish/", views.publish, name="article_publish"),
    path("articles/write/<int:article_id>/unpublish/", views.unpublish, name="article_unpublish"),
    path("articles/write/<int:article_id>/revisions/", views.revisions, name="article_revisions"),
    path("articles/moderation/", views.moderation_queue, name="moderation_queue"),
    path("articles/moderation/<int:comment_id>/reply/", views.moderation_reply, name="moderation_reply"),
    path("articles/my-comments/", views.commenter_request, name="commenter_request"),
    path("articles/my-comments/<str:token>/", views.commenter_data, name="commenter_data"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("sitemap.xml", sitemap, {"sitemaps": {"articles": ArticleSitemap}}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
