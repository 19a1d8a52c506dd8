"""A spam model for the app's tests: trained once per run, like the product's, on the real
collection when it is there (so verdicts are realistic), else on a small built-in set — with
the written blog comments either way."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from individuate.articles.spam import training

HAM = [
    "This helped me understand why I feel guilty every time my mother calls.",
    "Thank you, the part about small steps apart made sense to me.",
    "I moved out last year and it still feels strange, but better.",
    "My father does this too. Reading it calmly was a relief.",
    "Good article, I shared it with my sister.",
    "Do you have anything on how parents can get help on their own?",
]
SPAM = [
    "Check out my channel http://spam.example subscribe!!!",
    "Make money fast, visit www.cash.example now",
    "subscribe to my channel please check out my video",
    "Free gift cards here http://gift.example click",
    "Follow me on twitter for free followers www.follow.example",
    "check out this video on youtube http://vid.example",
]


@pytest.fixture(scope="session")
def spam_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spam") / "spam-model.json"
    directory = training.training_dir()
    if not list(directory.glob("*.csv")):
        directory = tmp_path_factory.mktemp("tiny")
        for i in range(3):
            with open(directory / f"Y0{i}-V{i}.csv", "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["text", "spam"])
                w.writerows([(t, 0) for t in HAM] + [(t, 1) for t in SPAM])
    training.fit(training.load_training(directory)).save(out)
    return out


@pytest.fixture(autouse=True)
def _spam_model(spam_model_path: Path, settings: object) -> None:
    settings.SPAM_MODEL_PATH = str(spam_model_path)  # type: ignore[attr-defined]
