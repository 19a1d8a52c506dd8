"""Crisis resources shown on /crisis/ and wherever a screener answer calls for them.

A deployment lists its own region's numbers in a JSON file named by the
``CRISIS_RESOURCES_FILE`` setting (see docs/crisis.md). Without one, a generic,
honest default is used that is not tied to any single country.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_RESOURCES: dict[str, Any] = {
    "region": "General guidance, not specific to one country",
    "intro": ("If you or someone else is in immediate danger, call your local emergency number now."),
    "resources": [
        {
            "name": "Your local emergency number",
            "how": "112",
            "detail": (
                "112 works across the EU and in many other countries. "
                "In the US and Canada, call 911. In the UK, call 999."
            ),
        },
        {
            "name": "988 Suicide & Crisis Lifeline (US)",
            "how": "988",
            "detail": "In the United States, call or text 988, any time of day or night.",
        },
        {
            "name": "Samaritans (UK and Ireland)",
            "how": "116 123",
            "detail": "In the UK and Ireland, call 116 123 for free, any time of day or night.",
        },
        {
            "name": "A crisis line where you live",
            "how": "Ask your doctor or local health service",
            "detail": (
                "Elsewhere, your doctor, pharmacist or local health service can tell you the crisis line for your area."
            ),
        },
        {
            "name": "The nearest emergency department",
            "how": "Go in person",
            "detail": ("You can go to any hospital emergency department, or ask someone to take you."),
        },
        {
            "name": "Someone you trust",
            "how": "Tell them now",
            "detail": (
                "Call, text or go to a friend, a family member or a neighbour. "
                "You do not have to explain everything. Saying you need company is enough."
            ),
        },
    ],
    "note": (
        "Individuate is not an emergency service and nothing here is medical advice. "
        "Nobody watches your entries in real time, so please reach out to one of the "
        "services above."
    ),
}

TOP_LEVEL_FIELDS = ("region", "intro", "resources", "note")
RESOURCE_FIELDS = ("name", "how", "detail")


def _validate(data: Any, source: str) -> dict[str, Any]:
    """Check the shape of a crisis resources document; raise ImproperlyConfigured if wrong."""
    if not isinstance(data, dict):
        raise ImproperlyConfigured(
            f"Crisis resources file {source} must contain a JSON object with the fields {', '.join(TOP_LEVEL_FIELDS)}."
        )
    for field in TOP_LEVEL_FIELDS:
        if field not in data:
            raise ImproperlyConfigured(f"Crisis resources file {source} is missing the field {field!r}.")
    for field in ("region", "intro", "note"):
        if not isinstance(data[field], str):
            raise ImproperlyConfigured(f"Crisis resources file {source}: the field {field!r} must be a string.")
    resources = data["resources"]
    if not isinstance(resources, list) or not resources:
        raise ImproperlyConfigured(f"Crisis resources file {source}: the field 'resources' must be a non-empty list.")
    for index, item in enumerate(resources):
        if not isinstance(item, dict):
            raise ImproperlyConfigured(
                f"Crisis resources file {source}: resources[{index}] must be an object "
                f"with the fields {', '.join(RESOURCE_FIELDS)}."
            )
        for field in RESOURCE_FIELDS:
            if field not in item:
                raise ImproperlyConfigured(
                    f"Crisis resources file {source} is missing the field {field!r} in resources[{index}]."
                )
            if not isinstance(item[field], str):
                raise ImproperlyConfigured(
                    f"Crisis resources file {source}: resources[{index}].{field} must be a string."
                )
    return {
        "region": data["region"],
        "intro": data["intro"],
        "resources": [{field: item[field] for field in RESOURCE_FIELDS} for item in resources],
        "note": data["note"],
    }


@lru_cache(maxsize=8)
def _load(path: str) -> dict[str, Any]:
    if not path:
        return DEFAULT_RESOURCES
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperlyConfigured(f"Crisis resources file {path} cannot be read: {exc.strerror or exc}.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(
            f"Crisis resources file {path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from exc
    return _validate(data, path)


def crisis_resources() -> dict[str, Any]:
    """The crisis resources for this deployment.

    Shape: ``{"region": str, "intro": str, "resources": [{"name", "how", "detail"}],
    "note": str}``. Loaded from ``settings.CRISIS_RESOURCES_FILE`` when set, the
    built-in generic default otherwise. The parsed file is cached per path; a copy is
    returned so callers cannot alter the cached value.
    """
    path = str(getattr(settings, "CRISIS_RESOURCES_FILE", "") or "").strip()
    return copy.deepcopy(_load(path))


crisis_resources.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
