from __future__ import annotations

from django import template

from individuate.measures.registry import instruments

register = template.Library()


@register.filter
def instrument_name(instrument_id: str) -> str:
    """``{{ response.instrument|instrument_name }}`` — "PHQ-9 · depression", never "phq9"."""
    instrument = instruments().get(str(instrument_id))
    return instrument.name if instrument else "A questionnaire no longer offered here"
