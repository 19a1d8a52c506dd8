from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap

from .models import Article


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    protocol = "https" if __import__("django.conf").conf.settings.SITE_ROOT.startswith("https") else "http"

    def items(self) -> Any:
        return Article.objects.filter(status=Article.Status.PUBLISHED).order_by("-published_at")

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at
