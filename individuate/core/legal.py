"""The privacy policy and the terms: a deployment's own files, or the project's defaults.

``PRIVACY_POLICY_FILE`` and ``TERMS_FILE`` name a Markdown (``.md``) or HTML (``.html``)
file. Markdown is rendered without raw HTML; HTML is cleaned (nh3), so a pasted page
cannot bring scripts along. ``{site_name}``, ``{operator}`` and ``{contact}`` are
filled in from the settings.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import nh3
from django.conf import settings
from django.utils.html import escape
from markdown_it import MarkdownIt

PAGES = {"privacy": "PRIVACY_POLICY_FILE", "terms": "TERMS_FILE"}
DEFAULTS = Path(__file__).resolve().parent / "legal"


def source_of(page: str) -> Path:
    configured = getattr(settings, PAGES[page], "")
    return Path(configured) if configured else DEFAULTS / f"{page}.md"


def _fill(text: str) -> str:
    contact = settings.LEGAL_CONTACT
    values = {
        "{site_name}": settings.SITE_NAME,
        "{operator}": settings.OPERATOR_NAME or "the operator of this site",
        "{contact}": f"Write to {contact}." if contact else "Write to the operator of this site.",
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, escape(value))
    return text


@lru_cache(maxsize=8)
def _render(path: str, mtime: float) -> str:
    source = Path(path)
    text = _fill(source.read_text(encoding="utf-8"))
    if source.suffix.lower() in (".html", ".htm"):
        return nh3.clean(text)
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).render(text)


def document(page: str) -> str:
    """The page as safe HTML."""
    source = source_of(page)
    return _render(str(source), source.stat().st_mtime)
