"""Markdown to safe HTML: markdown-it-py (CommonMark, no raw HTML) cleaned by nh3.

Defences in depth: raw HTML is not passed through by the parser, and whatever comes
out is cleaned by nh3 with an allow-list (no script, no event handlers, no style,
only http/https/mailto links and http/https images — so ``javascript:`` and data URIs
are dropped). Links that leave the site get ``rel="nofollow noopener"``. Sizes and
nesting are capped before parsing, so a "Markdown bomb" gets a clear error, not a
stuck worker.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

MAX_BODY_CHARS = 200_000
MAX_COMMENT_CHARS = 10_000
MAX_NESTING = 12

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
_NESTERS = re.compile(r"^[ \t]*((?:[>*+-][ \t]*|\d{1,9}[.)][ \t]*)+)", re.M)


class MarkdownTooLarge(ValueError):
    pass


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    return md


_MD = _parser()


def check_size(text: str, *, limit: int = MAX_BODY_CHARS) -> None:
    if len(text) > limit:
        raise MarkdownTooLarge(f"This is {len(text):,} characters long; the limit is {limit:,}.")
    for match in _NESTERS.finditer(text):
        depth = len(re.findall(r"[>*+-]|\d+[.)]", match.group(1)))
        if depth > MAX_NESTING:
            raise MarkdownTooLarge(
                f"Lists or quotes are nested {depth} deep; at most {MAX_NESTING} levels are allowed."
            )


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if urlsplit(value).scheme in {"http", "https"} or value.startswith("/") else None
    return value


_HREF = re.compile(r'<a\b([^>]*?)\shref="([^"]*)"')


def _add_rel(html: str, site_host: str) -> str:
    def repl(match: re.Match[str]) -> str:
        href = match.group(2)
        host = urlsplit(href.replace("&amp;", "&")).netloc.lower()
        rel = ' rel="nofollow noopener"' if host and host != site_host else ""
        return f'<a{match.group(1)} href="{href}"{rel}'

    return _HREF.sub(repl, html)


def render(text: str, *, site_host: str = "", limit: int = MAX_BODY_CHARS) -> str:
    """Safe HTML for a Markdown text. Raises :class:`MarkdownTooLarge`."""
    check_size(text, limit=limit)
    raw = _MD.render(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return clean_html(raw, site_host=site_host)


def clean_html(raw: str, *, site_host: str = "") -> str:
    """The allow-list cleaning (the second line of defence, after the parser's own)."""
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )
    return _add_rel(clean, site_host.lower())


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()
