"""Small building blocks for API schemas."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it as bad input (422), not a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


# A 0–10 rating (mood, guilt, anger, anxiety): the bounds appear in the OpenAPI schema.
Scale = Annotated[int, Field(ge=0, le=10)]


class Message(Schema):
    """Every error response: one sentence saying what was wrong (nothing was changed)."""

    detail: str
