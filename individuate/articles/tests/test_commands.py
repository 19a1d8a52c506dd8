"""train_spam_model, spam_check and the Akismet backend (its own test client, no network)."""

from __future__ import annotations

import csv
from pathlib import Path

import akismet
import pytest
from django.core.management import call_command

from individuate.articles import actions, akismet_backend, spam
from individuate.articles.models import Comment, SpamExample
from individuate.articles.spam import training
from individuate.articles.tests.conftest import HAM, SPAM


def test_train_spam_model_uses_moderator_decisions(tmp_path: Path, settings: object, db: None) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for i in range(2):
        with open(data / f"Y{i}-V{i}.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["text", "spam"])
            w.writerows([(t, 0) for t in HAM] + [(t, 1) for t in SPAM])
    SpamExample.objects.create(text="cheap pills www.pills.example", spam=True)
    SpamExample.objects.create(text="this is about my own mother", spam=False)
    out = tmp_path / "m.json"
    from io import StringIO

    buf = StringIO()
    call_command("train_spam_model", "--data", str(data), "--out", str(out), stdout=buf)
    assert "2 from moderators" in buf.getvalue() and out.exists()
    assert spam.SpamModel.load(out).meta["trained_on"]["moderators"] == 2


def test_if_missing_trains_again_when_the_collection_changed(tmp_path: Path, db: None) -> None:
    from io import StringIO

    data = tmp_path / "data"
    data.mkdir()
    with open(data / "Y0-V0.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([["text", "spam"], *[(t, 0) for t in HAM], *[(t, 1) for t in SPAM]])
    out = tmp_path / "m.json"
    args = ("train_spam_model", "--data", str(data), "--out", str(out), "--if-missing")
    call_command(*args, stdout=StringIO())
    first = out.read_bytes()
    buf = StringIO()
    call_command(*args, stdout=buf)
    assert "present" in buf.getvalue() and out.read_bytes() == first
    with open(data / "Y1-V1.csv", "w", newline="") as fh:  # a new video in the collection
        csv.writer(fh).writerows([["text", "spam"], *[(t, 0) for t in HAM], *[(t, 1) for t in SPAM]])
    buf = StringIO()
    call_command(*args, stdout=buf)
    assert "trained on other data" in buf.getvalue()
    assert len(spam.SpamModel.load(out).meta["trained_on"]) == len(training.load_training(data))


def _run(*args: str) -> int:
    try:
        call_command("spam_check", *args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_spam_check_scores_every_row_and_keeps_bad_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        'author,text,url\nRobin,"Thank you, this helped with my father",\nBot,"check out my channel http://x.example subscribe",http://x.example\nEmpty,,\n'
    )
    out = tmp_path / "out.csv"
    assert _run(str(src), "--out", str(out)) == 0
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [r["author"] for r in rows] == ["Robin", "Bot", "Empty"]
    assert rows[0]["verdict"] in {"ham", "moderate"} and rows[1]["verdict"] in {"spam", "moderate"}
    assert float(rows[1]["spam_probability"]) > float(rows[0]["spam_probability"])
    assert rows[2]["error"] == "line 4: empty text" and rows[2]["verdict"] == ""


def test_spam_check_exit_2_without_text_column_or_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text("author,body\nx,y\n")
    assert _run(str(src), "--out", str(tmp_path / "o.csv")) == 2
    assert "no `text` column" in capsys.readouterr().err
    assert _run(str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv")) == 2
    assert "Cannot read" in capsys.readouterr().err
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert _run(str(binary), "--out", str(tmp_path / "o.csv")) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()  # nothing written for a file that cannot be read


def test_spam_check_broken_quoting_stays_in_its_row(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(
        b'text,author\n"fine comment about my mum",a\n"broken "quote" here,b\nlast one,c\n'
        b'"unterminated quote,d\nafter one,e\n"two\nlines, ""quoted""",f\n\xff\xfe not utf-8,g\nx,h,extra\nend,i\n'
    )
    out = tmp_path / "out.csv"
    assert _run(str(src), "--out", str(out)) == 0
    rows = list(csv.DictReader(out.read_text().splitlines(keepends=True)))
    # every input row comes back, in order, the broken ones with an error of their own
    assert [r["author"] for r in rows] == ["a", "b", "c", "", "e", "f", "", "h", "i"]
    errors = {i: r["error"] for i, r in enumerate(rows) if r["error"]}
    assert errors == {
        1: "line 3: broken quoting (',' expected after '\"'); the row was not scored",
        3: "line 5: a quote is opened and never closed; the row was not scored",
        6: "line 9: not UTF-8 text; the row was not scored",
        7: "line 10: more cells than columns; the row was not scored",
    }
    assert rows[3]["text"].startswith("unterminated quote")  # shows which row it was
    for i, r in enumerate(rows):
        assert (r["verdict"] == "") == (i in errors)
        assert (r["spam_probability"] == "") == (i in errors)
    assert rows[5]["text"] == 'two\nlines, "quoted"'  # a quoted cell over two lines is one row


def test_spam_check_unwritable_out_and_broken_header_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "in.csv"
    good.write_text("text\nhello\n")
    assert _run(str(good), "--out", str(tmp_path / "no" / "such" / "dir.csv")) == 2
    assert "Cannot write" in capsys.readouterr().err
    header = tmp_path / "h.csv"
    header.write_text('"text,author\nx,y\n')
    assert _run(str(header), "--out", str(tmp_path / "o.csv")) == 2
    assert "its header line cannot be read" in capsys.readouterr().err


class _SaysSpam(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.SPAM


class _SaysDiscard(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.DISCARD


class _Recording(akismet.TestSyncClient):
    """The package's test client (no network), remembering what was reported."""

    comment_check_response = akismet.CheckResponse.HAM
    reports: list[tuple[str, dict[str, object]]] = []

    def submit_ham(self, *args: object, **kwargs: object) -> bool:
        self.reports.append(("ham", kwargs))
        return super().submit_ham(*args, **kwargs)  # type: ignore[arg-type]

    def submit_spam(self, *args: object, **kwargs: object) -> bool:
        self.reports.append(("spam", kwargs))
        return super().submit_spam(*args, **kwargs)  # type: ignore[arg-type]


def _timing_out(config: akismet.Config) -> akismet.SyncClient:
    """The package's real client whose every request times out (an httpx mock transport)."""
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    return akismet.SyncClient(config=config, http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_akismet_second_opinion_reports_and_fallback(
    therapist: object, settings: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.test import Client

    assert "No comment data is sent to any outside service" in Client().get("/articles/terms/").content.decode()
    settings.AKISMET_API_KEY = "test-key"  # type: ignore[attr-defined]
    settings.AKISMET_SITE_URL = "http://127.0.0.1:8000"  # type: ignore[attr-defined]
    a = actions.save_article(therapist, None, title="On space", body="x")  # type: ignore[arg-type]
    actions.publish(therapist, a)  # type: ignore[arg-type]

    # comment-check says spam: held for a person (never straight to the spam folder)
    monkeypatch.setattr(akismet_backend, "client_class", _SaysSpam)
    held = actions.post_comment(
        a, actions.Incoming(name="R", email="r@example.org", body="Thank you for this piece.", ip="10.2.0.1")
    )
    assert held.status == "pending" and "Akismet: spam" in held.held_because
    # "discard" (certain spam): the spam folder, kept
    monkeypatch.setattr(akismet_backend, "client_class", _SaysDiscard)
    discarded = actions.post_comment(
        a, actions.Incoming(name="D", email="d@example.org", body="A short note on boundaries.", ip="10.2.0.3")
    )
    assert discarded.status == "spam" and "Akismet: certain spam" in discarded.held_because

    # a time-out: the local verdict stands unchanged, the comment is stored
    monkeypatch.setattr(akismet_backend, "client_class", _timing_out)
    data = actions.Incoming(name="S", email="s@example.org", body="It helped me a lot.", ip="10.2.0.2")
    local = spam.assess(data.body, spam.Signals())
    assert local.verdict != spam.SPAM  # (a local spam verdict is not sent to Akismet at all)
    assert akismet_backend.check(a, data, local) is local
    assert "Akismet unavailable" in caplog.text and "timed out" in caplog.text
    kept = actions.post_comment(a, data)
    assert Comment.objects.filter(pk=kept.pk).exists() and "Akismet" not in kept.held_because
    actions.moderate(therapist, [kept.pk], "approve")  # type: ignore[arg-type]  # the report times out too
    assert Comment.objects.get(pk=kept.pk).status == "approved"

    # a moderator disagrees: submit-ham / submit-spam through the test client, with the comment's data
    monkeypatch.setattr(akismet_backend, "client_class", _Recording)
    actions.moderate(therapist, [held.pk], "approve")  # type: ignore[arg-type]
    actions.moderate(therapist, [kept.pk], "spam")  # type: ignore[arg-type]
    assert [(kind, kw["comment_content"], kw["comment_author_email"]) for kind, kw in _Recording.reports] == [
        ("ham", "Thank you for this piece.", "r@example.org"),
        ("spam", "It helped me a lot.", "s@example.org"),
    ]
    assert Comment.objects.get(pk=held.pk).status == "approved"
    page = Client().get("/articles/terms/").content.decode()
    assert "Akismet" in page and "sent to it" in page
