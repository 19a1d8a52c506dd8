"""The trained spam model as plain data (JSON), and inference with numpy alone.

The file holds the vocabulary, the idf weights, the linear weights, the learned weight of
repeated text and the two thresholds. It is read with :func:`json.load` — never
unpickled — so a model file in a writable place cannot run code.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import features

FORMAT = "individuate-spam-model/1"
REPEAT_BINS = 4  # 0, 1, 2, 3 or more earlier comments with the same words


class ModelError(Exception):
    """The model file is missing, unreadable or not a model."""


@dataclass(frozen=True)
class SpamModel:
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    repeat_weights: np.ndarray  # log-likelihood ratio added per repeat bin (bin 0 = 0)
    ham_below: float  # probability under this (and no rule says otherwise): published
    spam_from: float  # probability at or above this: the spam folder
    meta: dict[str, Any] = field(default_factory=dict)

    # -- scoring -------------------------------------------------------------------
    def text_logits(self, texts: Sequence[str], topics: Sequence[Iterable[str]] | None = None) -> np.ndarray:
        rows = []
        for i, text in enumerate(texts):
            topic = topics[i] if topics is not None else ()
            counts = Counter(t for t in features.terms(text, topic) if t in self.vocabulary)
            if not counts:
                rows.append(self.intercept)
                continue
            idx = np.fromiter((self.vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
            weights = tf * self.idf[idx]
            norm = float(np.sqrt(np.dot(weights, weights)))
            rows.append(float(np.dot(weights, self.coef[idx]) / norm) + self.intercept)
        return np.asarray(rows, dtype=np.float64)

    def probabilities(
        self,
        texts: Sequence[str],
        repeats: Sequence[int] | np.ndarray | None = None,
        topics: Sequence[Iterable[str]] | None = None,
        extra_logit: Sequence[float] | np.ndarray | None = None,
    ) -> np.ndarray:
        z = self.text_logits(texts, topics)
        if repeats is not None:
            bins = np.minimum(np.asarray(repeats, dtype=np.int64), REPEAT_BINS - 1)
            z = z + self.repeat_weights[bins]
        if extra_logit is not None:
            z = z + np.asarray(extra_logit, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    # -- storage -------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            "format": FORMAT,
            "terms": terms,
            "idf": [round(float(x), 6) for x in self.idf],
            "coef": [round(float(x), 6) for x in self.coef],
            "intercept": round(self.intercept, 6),
            "repeat_weights": [round(float(x), 6) for x in self.repeat_weights],
            "ham_below": round(self.ham_below, 6),
            "spam_from": round(self.spam_from, 6),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpamModel:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelError("This is not an Individuate spam model file.")
        try:
            terms = [str(t) for t in data["terms"]]
            idf = np.asarray(data["idf"], dtype=np.float64)
            coef = np.asarray(data["coef"], dtype=np.float64)
            repeat = np.asarray(data["repeat_weights"], dtype=np.float64)
            model = cls(
                vocabulary={t: i for i, t in enumerate(terms)},
                idf=idf,
                coef=coef,
                intercept=float(data["intercept"]),
                repeat_weights=repeat,
                ham_below=float(data["ham_below"]),
                spam_from=float(data["spam_from"]),
                meta=dict(data.get("meta") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The spam model file is damaged: {exc}") from exc
        if not (len(terms) == idf.size == coef.size) or repeat.size != REPEAT_BINS:
            raise ModelError("The spam model file is damaged: its arrays do not match.")
        if not 0.0 < model.ham_below <= model.spam_from < 1.0:
            raise ModelError("The spam model file is damaged: its thresholds are out of order.")
        return model

    def save(self, path: str | Path) -> None:
        """Written deterministically (sorted, rounded, no timestamps in the gzip header),
        so the same data and seed give a byte-identical file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        tmp = path.with_suffix(path.suffix + ".tmp")
        if path.suffix == ".gz":
            with open(tmp, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
                gz.write(raw)
        else:
            tmp.write_bytes(raw)
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> SpamModel:
        path = Path(path)
        try:
            raw = path.read_bytes()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            data = json.loads(raw)
        except FileNotFoundError as exc:
            raise ModelError(f"No spam model at {path}: run `python manage.py train_spam_model`.") from exc
        except (OSError, ValueError, EOFError) as exc:
            raise ModelError(f"The spam model at {path} cannot be read: {exc}") from exc
        return cls.from_json(data)
