"""The words: every effect's ``interpretation`` in plain English for the people it is
about. Numbers in, sentences out; nothing here computes a statistic.

Values are taken to be moods where higher = better (the product's 0–10 scale); the
labels "you"/"me"/"I" become "you"/"your".
"""

from __future__ import annotations

import functools

__all__ = [
    "includes_zero",
    "missing_text",
    "stronger_than_chance",
    "text_concurrent",
    "text_cross",
    "text_inertia",
    "text_sync",
]

_YOU = {"you", "me", "i", "yourself", "myself"}


@functools.lru_cache(maxsize=4096)
def is_you(label: str) -> bool:
    return label.strip().lower() in _YOU


def subject(label: str) -> str:
    return "you" if is_you(label) else label


@functools.lru_cache(maxsize=4096)
def poss(label: str) -> str:
    if is_you(label):
        return "your"
    return label + ("'" if label.endswith("s") else "'s")


@functools.lru_cache(maxsize=4096)
def _cap_poss(label: str) -> str:
    return cap(poss(label))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def includes_zero(ci: tuple[float, float]) -> bool:
    return ci[0] <= 0.0 <= ci[1]


def stronger_than_chance(ci: tuple[float, float], exceeds: bool | None) -> bool | None:
    """The one rule for "stronger than chance", used by the sentence and by the badge:
    the 95 % range leaves out 0 *and* the effect beats the chance level. ``None`` when
    the chance level was not computed and the range leaves out 0."""
    if includes_zero(ci) or exceeds is False:
        return False
    return True if exceeds is True else None


def chance_note(ci: tuple[float, float], exceeds: bool | None) -> str:
    if includes_zero(ci):
        return " The range includes 0: within chance."
    if exceeds is False:
        return " It is no larger than what people who are not linked show by chance: within chance."
    return ""


def text_cross(b: float, ci: tuple[float, float], src: str, tgt: str, ex: bool | None, solo: bool) -> str:
    if solo:
        lead = f"on days after you saw {src} as more upset than usual (1 point lower)"
    else:
        lead = f"on days after {subject(src)} seemed more upset than usual (1 point lower)"
    who = f"{poss(tgt)} own mood"
    if b >= 0:
        body = (
            f"{who} tended to be about {b:.2f} points lower the next day (95 % range {ci[0]:.2f} to {ci[1]:.2f}), "
            f"allowing for {poss(tgt)} mood the day before."
        )
    else:
        body = (
            f"{who} tended to be about {-b:.2f} points higher the next day (95 % range {-ci[1]:.2f} to {-ci[0]:.2f}), "
            f"allowing for {poss(tgt)} mood the day before — moving the opposite way."
        )
    head = "No clear carry-over: " if includes_zero(ci) else ""
    return f"{head}{cap(lead) if not head else lead}, {body}{chance_note(ci, ex)}"


def text_concurrent(b: float, ci: tuple[float, float], r: float, src: str, ex: bool | None) -> str:
    lead = f"on days when you saw {src} as more upset than usual (1 point lower)"
    if b >= 0:
        body = (
            f"your own mood tended to be about {b:.2f} points lower the same day "
            f"(95 % range {ci[0]:.2f} to {ci[1]:.2f})"
        )
    else:
        body = (
            f"your own mood tended to be about {-b:.2f} points higher the same day "
            f"(95 % range {-ci[1]:.2f} to {-ci[0]:.2f})"
        )
    head = "No clear link: " if includes_zero(ci) else ""
    return f"{head}{cap(lead) if not head else lead}, {body}; correlation {r:.2f}.{chance_note(ci, ex)}"


def text_inertia(b: float, ci: tuple[float, float], who: str) -> str:
    whose = _cap_poss(who)
    if b >= 0:
        text = (
            f"{whose} mood carries over from one day to the next: after a day 1 point "
            f"below usual, the next day was on average {b:.2f} points below usual too "
            f"({ci[0]:.2f} to {ci[1]:.2f})."
        )
    else:
        text = (
            f"{whose} mood tends to swing back: after a day 1 point below usual, the "
            f"next day was on average {-b:.2f} points above usual ({-ci[1]:.2f} to {-ci[0]:.2f})."
        )
    if ci[0] <= 0.0 <= ci[1]:
        text += " The range includes no carry-over at all."
    return text


def text_sync(r: float, ci: tuple[float, float], a: str, b: str) -> str:
    pair = f"{poss(a)} and {poss(b)} moods"
    if r >= 0:
        text = (
            f"On the same day, {pair} tended to move together: when one was better than "
            f"usual, so was the other (correlation {r:.2f}, {ci[0]:.2f} to {ci[1]:.2f})."
        )
    else:
        text = (
            f"On the same day, {pair} tended to move in opposite directions "
            f"(correlation {r:.2f}, {ci[0]:.2f} to {ci[1]:.2f})."
        )
    if ci[0] <= 0.0 <= ci[1]:
        text += " But the range includes 0, so this could be chance."
    return text


def missing_text(reason: str) -> str:
    return f"Not estimated: {reason}."
