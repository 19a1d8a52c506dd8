"""Spam filtering on the machine itself.

:func:`assess` turns a comment and the signals around it into a probability and one
of three verdicts. The text model is trained by ``manage.py train_spam_model`` (see
``training.py``) and stored as plain JSON (``model.py``); scoring needs numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import features
from .model import ModelError, SpamModel

HAM, MODERATE, SPAM = "ham", "moderate", "spam"

#: Log-odds added for signals the training data cannot show; set by hand, kept small
#: except for the ones that only a machine produces.
WEBSITE_LOGIT = 0.4
TOO_FAST_LOGIT = 2.0
SPAMMED_BEFORE_LOGIT = 2.0
APPROVED_BEFORE_LOGIT = -1.0
BUSY_ADDRESS_LOGIT = 1.0


@dataclass(frozen=True)
class Signals:
    website: str = ""
    honeypot_filled: bool = False
    too_fast: bool = False  # the signed form start time says it was sent in seconds
    bad_signature: bool = False  # the start time was missing or tampered with
    recent_from_address: int = 0  # comments from the same address in the last hour
    repeats: int = 0  # earlier comments on the site with the same words (30 days)
    approved_before: bool = False  # this e-mail address has an approved comment
    spammed_before: bool = False  # … or one a moderator marked as spam
    topic: tuple[str, ...] = ()  # words of the article (title, tags)


@dataclass(frozen=True)
class Assessment:
    probability: float
    verdict: str
    reasons: tuple[str, ...] = field(default=())

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def default_model_path() -> Path:
    from django.conf import settings

    return Path(settings.SPAM_MODEL_PATH)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> SpamModel:
    return SpamModel.load(path)


def load_model(path: str | Path | None = None) -> SpamModel | None:
    """The stored model, or None when there is none yet (then every comment is held)."""
    path = Path(path) if path else default_model_path()
    try:
        return _load(str(path), path.stat().st_mtime)
    except (FileNotFoundError, ModelError):
        return None


def assess(text: str, signals: Signals, model: SpamModel | None = None, *, links_hold: int = 2) -> Assessment:
    """Probability and verdict. Anything uncertain goes to a human: the spam verdict
    only at the model's near-certainty threshold (or for the honeypot)."""
    model = model if model is not None else load_model()
    reasons: list[str] = []
    hold = False
    extra = 0.0
    links = features.count_links(text)
    if signals.honeypot_filled:
        return Assessment(0.999, SPAM, ("the hidden field was filled in",))
    if signals.website:
        extra += WEBSITE_LOGIT
    if links >= links_hold:
        hold = True
        reasons.append(f"{links} links")
    if signals.too_fast:
        hold = True
        extra += TOO_FAST_LOGIT
        reasons.append("sent within seconds of opening the form")
    if signals.bad_signature:
        hold = True
        reasons.append("the form's start time was missing or altered")
    if signals.recent_from_address >= 3:
        hold = True
        extra += BUSY_ADDRESS_LOGIT
        reasons.append(f"{signals.recent_from_address} comments from this address in the last hour")
    if signals.repeats >= 1:
        hold = True
        reasons.append("the same words were posted before")
    if signals.spammed_before:
        hold = True
        extra += SPAMMED_BEFORE_LOGIT
        reasons.append("an earlier comment from this address was spam")
    if signals.approved_before:
        extra += APPROVED_BEFORE_LOGIT
    if model is None:
        return Assessment(0.5, MODERATE, (*reasons, "no spam model is trained yet"))
    p = float(model.probabilities([text], [signals.repeats], [signals.topic], [extra])[0])
    if p >= model.spam_from:
        return Assessment(p, SPAM, (*reasons, f"spam probability {p:.0%}"))
    if p >= model.ham_below:
        return Assessment(p, MODERATE, (*reasons, f"uncertain (spam probability {p:.0%})"))
    if hold:
        return Assessment(p, MODERATE, tuple(reasons))
    return Assessment(p, HAM, ())


__all__ = ["HAM", "MODERATE", "SPAM", "Assessment", "ModelError", "Signals", "SpamModel", "assess", "load_model"]
