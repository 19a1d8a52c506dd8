"""The words: every effect's ``interpretation`` in plain English for the people it is
about. Numbers in, sentences out; nothing here computes a statistic.

Values are taken to be moods where higher = better (the product's 0–10 scale); the
labels "you"/"me"/"I" become "you"/"your".
"""

from __future__ import annotations

import functools

__all__ = [
    "missing_text",
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


def chance_note(ci: tuple[float, float], exceeds: bool | None) -> str:
    if ci[0] <= 0.0 <= ci[1]:
        return " But the range includes no effect at all, so this could be chance."
    if exceeds is False:
        return " It is not larger than what people who are not linked show by chance, so treat it with caution."
    return ""


def text_cross(b: float, ci: tuple[float, float], src: str, tgt: str, ex: bool | None, solo: bool) -> str:
    if solo:
        lead = f"On days after you saw {src} as more upset than usual (1 point lower)"
    else:
        lead = f"On days after {subject(src)} seemed more upset than usual (1 point lower)"
    who = f"{poss(tgt)} own mood"
    if b >= 0:
        body = f"{who} was {b:.2f} points lower the next day ({ci[0]:.2f} to {ci[1]:.2f})."
    else:
        body = (
            f"{who} was {-b:.2f} points higher the next day ({-ci[1]:.2f} to {-ci[0]:.2f}) — moving the opposite way."
        )
    return f"{lead}, {body}{chance_note(ci, ex)}"


def text_concurrent(b: float, ci: tuple[float, float], r: float, src: str, ex: bool | None) -> str:
    lead = f"On days when you saw {src} as more upset than usual (1 point lower)"
    if b >= 0:
        body = f"your own mood was {b:.2f} points lower the same day ({ci[0]:.2f} to {ci[1]:.2f})"
    else:
        body = f"your own mood was {-b:.2f} points higher the same day ({-ci[1]:.2f} to {-ci[0]:.2f})"
    return f"{lead}, {body}; correlation {r:.2f}.{chance_note(ci, ex)}"


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
