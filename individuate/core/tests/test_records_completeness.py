"""Completeness is a test, not a hope: every model that refers to a person is exported
and erased, or deliberately left out with a reason (Zulip does the same for its export)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from individuate.core import records


def _person_models() -> dict[type[models.Model], list[models.ForeignKey]]:
    user = get_user_model()
    found: dict[type[models.Model], list[models.ForeignKey]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and field.is_relation and field.related_model is user:
                found.setdefault(model, []).append(field)
    return found


def test_every_model_referring_to_a_person_is_exported_or_left_out() -> None:
    missing = [
        model._meta.label
        for model in _person_models()
        if model not in records.exported_models() and model not in records.LEFT_OUT
    ]
    assert missing == [], f"not exported and not left out (with a reason): {missing}"


def test_every_model_referring_to_a_person_is_erased_or_left_out() -> None:
    """Erased means: the database cascades it, or an eraser names it, or SET_NULL keeps a
    row that no longer says who (and the model is exported from the other side)."""
    not_erased = []
    for model, fields in _person_models().items():
        if model in records.LEFT_OUT or model in records.erased_models():
            continue
        for field in fields:
            on_delete = field.remote_field.on_delete
            if on_delete not in (models.CASCADE, models.SET_NULL):
                not_erased.append(f"{model._meta.label}.{field.name}")
    assert not_erased == [], f"deleting an account would keep or block these: {not_erased}"


def test_every_export_section_says_what_it_holds_in_words() -> None:
    for name, section in records.EXPORTS.items():
        assert section.label and section.label != name, name
        assert "_" not in section.label, f"{name}: say it in words, not a table name"


@pytest.mark.parametrize("reason", ["", "   "])
def test_leaving_a_model_out_needs_a_reason(reason: str) -> None:
    with pytest.raises(ValueError, match="say why"):
        records.leave_out(get_user_model(), reason)
