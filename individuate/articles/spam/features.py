"""Turning a comment into the terms the spam model weighs — pure Python, shared by
training and inference so the two can never drift apart."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

_TIMESTAMP_LINK = re.compile(r'<a [^>]*href="[^"]*(?:[?&]|&amp;)t=\d[^"]*"[^>]*>\s*(\d+:\d\d)\s*</a>', re.I)
_ANCHOR = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>.*?</a>', re.I | re.S)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")
URL = re.compile(
    r"(https?://\S+|www\.\S+|\b[\w-]+\.(?:com|net|org|ly|be|info|co|tk|us|me|biz|io)\b\S*)",
    re.I,
)
_WORD = re.compile(r"[a-z0-9_']+|[!?$]")
_SPACE = re.compile(r"\s+")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "you",
        "your",
        "this",
        "that",
        "are",
        "was",
        "were",
        "from",
        "have",
        "has",
        "had",
        "not",
        "but",
        "all",
        "any",
        "can",
        "its",
        "into",
        "out",
        "our",
        "their",
        "them",
        "they",
        "what",
        "when",
        "who",
        "why",
        "how",
        "will",
        "would",
        "about",
    ]
)

#: Character n-gram lengths (padded at word boundaries); words and word pairs as well.
CHAR_NGRAMS = (3, 4, 5, 6)


def strip_format(text: str) -> str:
    """The comment as a reader sees it: HTML unescaped, tags dropped (a link keeps its
    address), format characters such as zero-width spaces and direction marks removed."""
    text = _TIMESTAMP_LINK.sub(r" \1 ", text)
    text = _ANCHOR.sub(r" \1 ", text)
    text = _BREAK.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def count_links(text: str) -> int:
    return len(URL.findall(strip_format(text)))


def topic_words(*texts: str) -> tuple[str, ...]:
    """Words of the article (title, tags) a comment may mention: a comment about the
    subject is more likely genuine, and masking them lets the model learn that across
    subjects instead of memorising one subject's vocabulary."""
    words: set[str] = set()
    for text in texts:
        for word in re.findall(r"[a-z]+", strip_format(text).lower()):
            if len(word) >= 3 and word not in _STOP:
                words.add(word)
    return tuple(sorted(words))


def normalise(text: str, topic: Iterable[str] = ()) -> str:
    text = strip_format(text).lower()
    words = [re.escape(w) for w in topic]
    if words:
        text = re.sub(r"\b(?:" + "|".join(words) + r")\w*", " _topic_ ", text)
    text = URL.sub(" _url_ ", text)
    text = re.sub(r"\d+:\d\d", " _ts_ ", text)
    return re.sub(r"\d", "0", text)


def terms(text: str, topic: Iterable[str] = ()) -> list[str]:
    """Words, word pairs and padded character n-grams of the normalised text."""
    norm = normalise(text, topic)
    words = _WORD.findall(norm)
    out = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    padded = " " + _SPACE.sub(" ", norm).strip() + " "
    for n in CHAR_NGRAMS:
        out += ["#" + padded[i : i + n] for i in range(len(padded) - n + 1)]
    return out


def fingerprint(text: str) -> str:
    """What makes two comments "the same words": case, punctuation and spacing ignored."""
    return _SPACE.sub(" ", re.sub(r"\W+", " ", strip_format(text).lower())).strip()[:500]
