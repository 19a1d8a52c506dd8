"""The instruments this deployment offers, loaded and validated once at start-up."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .instruments import Instrument, load_all


def extra_dirs() -> tuple[Path, ...]:
    extra = getattr(settings, "MEASURES_EXTRA_DIR", "") or os.getenv("MEASURES_EXTRA_DIR", "")
    return (Path(extra),) if extra else ()


@lru_cache(maxsize=4)
def _load(dirs: tuple[Path, ...]) -> dict[str, Instrument]:
    return load_all(dirs)


def instruments() -> dict[str, Instrument]:
    return _load(extra_dirs())


def clear_cache() -> None:
    _load.cache_clear()
