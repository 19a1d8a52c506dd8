"""Small building blocks for API schemas."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from ninja import Query, Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema, create_model


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


# ---------------------------------------------------------------- pages of a list

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200  # documented in docs/api.md; larger ``limit`` values get 422

T = TypeVar("T")

Limit = Annotated[int, Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"at most {MAX_PAGE_SIZE}")]
Offset = Annotated[int, Query(0, ge=0, le=10_000_000)]


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a paginated list of ITEM: ``items``, ``count``, ``limit``, ``offset``."""
    model = create_model(
        f"{item.__name__}Page",
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
    )
    return model


def paginate(rows: QuerySet[Any] | Sequence[Any], limit: int, offset: int, out: Callable[[Any], T]) -> dict[str, Any]:
    """One page: only LIMIT rows are read and turned into output objects."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    return {"items": [out(r) for r in rows[offset : offset + limit]], "count": count, "limit": limit, "offset": offset}
