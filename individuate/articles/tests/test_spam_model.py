"""The spam model: trained reproducibly, stored as plain JSON, loaded without pickle."""

import builtins
import csv
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from individuate.articles import spam
from individuate.articles.spam import features, training
from individuate.articles.spam.model import ModelError, SpamModel
from individuate.articles.tests.conftest import HAM, SPAM


def _write(directory: Path, name: str, rows: list[tuple[str, int]]) -> None:
    with open(directory / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "spam"])
        w.writerows(rows)


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    for i in range(3):
        rows = [(t + f" {i}", 0) for t in HAM] + [(t + f" {i}", 1) for t in SPAM]
        _write(d, f"Youtube0{i}-Video{i}.csv", rows)
    return d


def test_trained_model_loads_without_pickle(tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = training.fit(training.load_videos(tiny_data))
    path = tmp_path / "spam-model.json"
    model.save(path)
    json.loads(path.read_text())  # plain JSON

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model must not be unpickled")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    real_import = builtins.__import__

    def no_joblib(name: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if name.startswith("joblib"):
            raise AssertionError("joblib must not be used to load the model")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_joblib)
    loaded = SpamModel.load(path)
    texts = ["free money www.cash.example subscribe", "thank you, this helped with my mother"]
    assert np.allclose(loaded.probabilities(texts), model.probabilities(texts), atol=1e-5)
    p_spam, p_ham = loaded.probabilities(texts)
    assert p_spam > p_ham


def test_training_is_reproducible(tiny_data: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    training.fit(training.load_videos(tiny_data)).save(a)
    training.fit(training.load_videos(tiny_data)).save(b)
    assert a.read_bytes() == b.read_bytes()


def test_inference_matches_scikit_learn(tiny_data: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    groups = training.load_videos(tiny_data)
    model = training.fit(groups)
    docs = [features.terms(s.text, s.topic) for g in groups.values() for s in g]
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=2).fit(docs)
    text = "check out my channel, it is about my mother"
    x = vec.transform([features.terms(text)]).toarray()[0]
    order = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    coef = np.array([model.coef[model.vocabulary[t]] for t in order])
    assert model.text_logits([text])[0] == pytest.approx(float(x @ coef) + model.intercept, abs=1e-9)


def test_a_damaged_or_foreign_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(ModelError, match="not an Individuate spam model"):
        SpamModel.load(bad)
    bad.write_bytes(b"\x80\x04K\x01.")  # a pickle
    with pytest.raises(ModelError):
        SpamModel.load(bad)
    with pytest.raises(ModelError, match="train_spam_model"):
        SpamModel.load(tmp_path / "missing.json")


def test_verdicts_honeypot_links_and_no_model(tiny_data: Path) -> None:
    model = training.fit(training.load_videos(tiny_data))
    assert spam.assess("Nice", spam.Signals(honeypot_filled=True), model).verdict == spam.SPAM
    two_links = spam.assess("see http://a.example and http://b.example", spam.Signals(), model)
    assert two_links.verdict in {spam.MODERATE, spam.SPAM} and "2 links" in two_links.reason_text
    held = spam.assess("thank you, this helped", spam.Signals(too_fast=True), model)
    assert held.verdict != spam.HAM


def test_training_dir_default_is_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPAM_TRAINING_DIR", raising=False)
    from django.conf import settings

    monkeypatch.setattr(settings, "SPAM_TRAINING_DIR", "", raising=False)
    repo = Path(__file__).resolve().parents[3]
    assert training.training_dir() == repo.parent / "shared" / "data" / "youtube-spam"
    monkeypatch.setenv("SPAM_TRAINING_DIR", "/somewhere/else")
    assert training.training_dir() == Path("/somewhere/else")


def test_unicode_tricks_do_not_hide_words() -> None:
    assert features.fingerprint("sub\u200bscribe \u202enow") == features.fingerprint("subscribe now")


def test_signals_beyond_the_text_hold_a_comment_with_their_reason(
    tiny_data: Path, tmp_path: Path, settings: object
) -> None:
    model = training.fit(training.load_videos(tiny_data))
    text = "thank you, this helped with my mother"
    plain = spam.assess(text, spam.Signals(), model)
    busy = spam.assess(text, spam.Signals(recent_from_address=3), model)
    spammer = spam.assess(text, spam.Signals(spammed_before=True), model)
    repeated = spam.assess(text, spam.Signals(repeats=1), model)
    forged = spam.assess(text, spam.Signals(bad_signature=True), model)
    for held, reason in [
        (busy, "3 comments from this address"),
        (spammer, "earlier comment from this address was spam"),
        (repeated, "same words were posted before"),
        (forged, "start time was missing or altered"),
    ]:
        assert held.verdict != spam.HAM and reason in held.reason_text
    assert busy.probability > plain.probability and spammer.probability > plain.probability
    trusted = spam.assess(text, spam.Signals(approved_before=True), model)
    assert trusted.probability < plain.probability
    settings.SPAM_MODEL_PATH = str(tmp_path / "none-yet.json")  # type: ignore[attr-defined]
    none = spam.assess(text, spam.Signals(), None)  # None: the stored model, and there is none
    assert none.verdict == spam.MODERATE and "no spam model" in none.reason_text  # a person decides


#: Plainly genuine comments of the kind a therapy blog gets (none is in the written
#: training file): the first four scored as spam when the model had seen only videos.
GENUINE_BLOG = [
    "Can I share this on my blog?",
    "Great post! I subscribed to your newsletter.",
    "fine comment about my mum",
    "This helped me name what I feel around my mum. Thank you.",
    "Thank you for this, my dad does exactly the same thing.",
    "I disagree with the second step. Moving away is not possible for everyone.",
    "Could you write about grandparents next time?",
    "Beautifully written. I sent it to my brother.",
    "My mother calls me five times a day and I always answer. I'm 34.",
    "Is it normal to feel angry with my mum after reading this?",
    "Danke, das hat mir sehr geholfen.",
    "Gracias por escribir sobre la culpa.",
    "thx, really needed this today",
    "Do you offer sessions for parents on their own?",
    "Great article, I shared it with my support group.",
    "Subscribed! Thank you for writing about guilt so gently.",
    "The NHS has a page on counselling that helped me: https://www.nhs.uk/mental-health/",
]


def test_the_written_blog_comments_are_well_formed() -> None:
    samples = training.load_blog()
    labels = [s.spam for s in samples]
    assert labels.count(0) >= 300 and labels.count(1) >= 80
    assert all(s.text.strip() and s.topic for s in samples)
    fingerprints = [features.fingerprint(s.text) for s in samples]
    assert len(set(fingerprints)) == len(fingerprints)  # no copies: nothing is held as a repeat
    assert (training.BLOG_COMMENTS.parent / "README.md").exists()
    assert not {features.fingerprint(t) for t in GENUINE_BLOG} & set(fingerprints)


def test_genuine_blog_comments_get_no_spam_verdict(spam_model_path: Path) -> None:
    model = SpamModel.load(spam_model_path)
    assert model.meta["trained_on"][training.BLOG_GROUP] == len(training.load_blog())
    topic = features.topic_words("Three steps out: space, small separations, a life of your own", "Boundaries")
    for text in GENUINE_BLOG:
        for signals in (spam.Signals(), spam.Signals(topic=topic)):
            assessed = spam.assess(text, signals, model)
            assert assessed.verdict != spam.SPAM, (text, assessed.probability)


def test_blog_spam_is_still_caught(spam_model_path: Path) -> None:
    model = SpamModel.load(spam_model_path)
    for text in [
        "Great post! Cheap viagra without prescription at www.pills-cheap-now.com",
        "Nice blog admin, best casino bonus 300 free spins www.spinwin-casino.com",
    ]:
        assert spam.assess(text, spam.Signals(), model).verdict != spam.HAM


def test_an_always_in_training_group_is_never_held_out(tiny_data: Path) -> None:
    groups = training.load_videos(tiny_data)
    groups[training.BLOG_GROUP] = training.load_blog()
    assert [r.group for r in training.cross_video(groups)] == sorted(n for n in groups if n != training.BLOG_GROUP)
