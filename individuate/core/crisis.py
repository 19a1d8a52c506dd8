"""Crisis resources shown on /crisis/ and wherever a screener answer calls for them.

A deployment lists its own region's numbers in a JSON file named by the
``CRISIS_RESOURCES_FILE`` setting (see docs/crisis.md). Without one, a generic,
honest default is used that is not tied to any single country.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_RESOURCES: dict[str, Any] = {
    "region": "General guidance, not specific to one country",
    "intro": "If you or someone else is in immediate danger, call your local emergency number now.",
    "resources": [
        # No single "Call …" button: the right emergency number depends on where the
        # person is, so each region's number is its own, clearly labelled button.
        {
            "name": "Emergency in the US and Canada",
            "how": "911",
            "detail": "Police, ambulance and fire, from any phone.",
            "urgent": True,
        },
        {
            "name": "Emergency in the UK",
            "how": "999",
            "detail": "Police, ambulance and fire. 112 also works in the UK.",
            "urgent": True,
        },
        {
            "name": "Emergency in the EU and many other countries",
            "how": "112",
            "detail": "112 works across the EU and in many other countries, from any phone.",
            "urgent": True,
        },
        {
            "name": "988 Suicide & Crisis Lifeline (US and Canada)",
            "how": "988",
            "detail": "In the United States and Canada, call or text 988, any time of day or night.",
        },
        {
            "name": "Samaritans (UK and Ireland)",
            "how": "116 123",
            "detail": "In the UK and Ireland, call 116 123 for free, any time of day or night.",
        },
        {
            "name": "A helpline in your country",
            "how": "findahelpline.com",
            "url": "https://findahelpline.com/",
            "detail": (
                "A free international directory of crisis, suicide and abuse helplines, "
                "with their numbers and opening hours, country by country."
            ),
        },
        {
            "name": "Your doctor or local health service",
            "how": "Ask for the crisis line",
            "detail": "Your doctor, pharmacist or local health service can tell you the crisis line for your area.",
        },
        {
            "name": "The nearest emergency department",
            "how": "Go in person",
            "detail": "You can go to any hospital emergency department, or ask someone to take you.",
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
PHONE = re.compile(r"\+?[0-9(][0-9 ()\-]*")


def tel_href(how: str) -> str:
    """``tel:`` link for a phone number such as "116 123" or "+44 (0)20 555-0100", else ""."""
    text = how.strip()
    digits = re.sub(r"[^0-9]", "", text)
    if not PHONE.fullmatch(text) or len(digits) < 3:
        return ""
    return "tel:" + ("+" if text.startswith("+") else "") + digits


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
        if not isinstance(item.get("urgent", False), bool):
            raise ImproperlyConfigured(
                f"Crisis resources file {source}: resources[{index}].urgent must be true or false."
            )
        url = item.get("url", "")
        if not isinstance(url, str) or (url and not url.startswith("https://")):
            raise ImproperlyConfigured(
                f"Crisis resources file {source}: resources[{index}].url must be an address starting with https://."
            )
    # Without any "urgent" entry the first one is the urgent one (files written before the field existed).
    any_urgent = any(item.get("urgent") for item in resources)
    clean = [
        {field: item[field] for field in RESOURCE_FIELDS}
        | {
            "urgent": bool(item.get("urgent")) if any_urgent else index == 0,
            "url": item.get("url", ""),
            "tel": tel_href(item["how"]),
        }
        for index, item in enumerate(resources)
    ]
    return {
        "region": data["region"],
        "intro": data["intro"],
        "resources": clean,
        "urgent": [item for item in clean if item["urgent"]],
        "others": [item for item in clean if not item["urgent"]],
        "note": data["note"],
    }


@lru_cache(maxsize=8)
def _load(path: str) -> dict[str, Any]:
    if not path:
        return _validate(DEFAULT_RESOURCES, "(built-in default)")
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

    Shape: ``{"region": str, "intro": str, "resources": [{"name", "how", "detail",
    "urgent", "url", "tel"}], "urgent": [...], "others": [...], "note": str}``, where
    ``tel`` is the ``tel:`` link when ``how`` is a phone number (else ""), and
    ``urgent``/``others`` split the list for the emergency box and the rest.
    Loaded from ``settings.CRISIS_RESOURCES_FILE`` when set, the
    built-in generic default otherwise. The parsed file is cached per path; a copy is
    returned so callers cannot alter the cached value.
    """
    path = str(getattr(settings, "CRISIS_RESOURCES_FILE", "") or "").strip()
    return copy.deepcopy(_load(path))


crisis_resources.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
