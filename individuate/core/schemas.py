"""Small building blocks for API schemas."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it as bad input (422), not a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


def _scale(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError("must be a whole number from 0 to 10")
    return value


# A 0–10 rating (mood, guilt, anger, anxiety): one clear message, and the bounds in the schema.
Scale = Annotated[int, BeforeValidator(_scale), WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 10})]


class Message(Schema):
    """Every error response: one sentence saying what was wrong (nothing was changed)."""

    detail: str
