"""Taking a questionnaire: autosave, resume, submit once, safety flags that are never dropped."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from conftest import connect
from individuate.accounts.models import User
from individuate.core.errors import ActionError
from individuate.measures import actions
from individuate.measures.models import Response, SafetyFlag

PHQ9_OK = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 0}


def test_start_resumes_the_unfinished_sitting(alice: User) -> None:
    first = actions.start_response(alice, "phq9", "one")
    actions.save_answers(alice, first.pk, {"phq9_1": 2})
    again = actions.start_response(alice, "phq9", "all")
    assert again.pk == first.pk and again.answers == {"phq9_1": 2} and again.layout == "all"


def test_a_bad_answer_saves_nothing(alice: User) -> None:
    response = actions.start_response(alice, "phq9")
    with pytest.raises(ActionError, match="Item 3: 9 is not one of"):
        actions.save_answers(alice, response.pk, {"phq9_1": 1, "phq9_3": 9})
    response.refresh_from_db()
    assert response.answers == {}


def test_submit_needs_every_answer_then_only_once(alice: User) -> None:
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {k: v for k, v in PHQ9_OK.items() if k != "phq9_5"})
    with pytest.raises(ActionError, match="Item 5 is not answered"):
        actions.submit_response(alice, response.pk)
    response.refresh_from_db()
    assert response.status == "in_progress" and response.total is None
    actions.save_answers(alice, response.pk, {"phq9_5": 3})
    done = actions.submit_response(alice, response.pk)
    assert (done.total, done.band, done.status) == (10.0, "moderate", "completed")
    with pytest.raises(ActionError) as exc:
        actions.submit_response(alice, response.pk)
    assert exc.value.code == "conflict"
    with pytest.raises(ActionError):
        actions.save_answers(alice, response.pk, {"phq9_1": 0})
    done.refresh_from_db()
    assert done.answers["phq9_1"] == 1


def test_someone_elses_response_is_not_found(alice: User, stranger: User) -> None:
    response = actions.start_response(alice, "phq9")
    with pytest.raises(ActionError) as exc:
        actions.save_answers(stranger, response.pk, {"phq9_1": 3})
    assert exc.value.code == "not_found"
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("measures:response_take", args=[response.pk])).status_code == 404
    assert client.post(reverse("measures:response_submit", args=[response.pk])).status_code == 302
    response.refresh_from_db()
    assert response.answers == {} and response.status == "in_progress"


def test_self_harm_answer_is_flagged_on_save_and_the_therapist_told_once(
    alice: User, therapist: User, outsider: User
) -> None:
    connect(therapist, alice, ("measures",))
    connect(outsider, alice, ("checkins",))  # connected, but without the measures grant
    response = actions.start_response(alice, "phq9")
    mail.outbox.clear()
    _, raised = actions.save_answers(alice, response.pk, {"phq9_9": 2})
    assert [f.flag for f in raised] == ["self_harm"]
    # Closing the page now loses nothing: the flag is already stored.
    assert SafetyFlag.objects.filter(owner=alice, flag="self_harm", value=2).exists()
    assert [m.to for m in mail.outbox] == [["therapist@example.com"]]
    body = f"{mail.outbox[0].subject} {mail.outbox[0].body}"
    assert "needs your attention" in body
    for detail in ("PHQ", "phq9", "Alice", "alice@", "dead", "hurting"):
        assert detail not in body
    # Saving again (or submitting) does not raise it twice.
    _, again = actions.save_answers(alice, response.pk, {"phq9_9": 2})
    actions.save_answers(alice, response.pk, {k: v for k, v in PHQ9_OK.items() if k != "phq9_9"})
    actions.submit_response(alice, response.pk)
    assert again == [] and len(mail.outbox) == 1
    assert SafetyFlag.objects.filter(owner=alice).count() == 1
    assert actions.clients_needing_attention(therapist) == {alice.pk}
    assert actions.clients_needing_attention(outsider) == set()


def test_one_per_screen_flow_shows_crisis_first(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    start = client.post(reverse("measures:measure_start", args=["phq9"]), {"layout": "one"})
    response = Response.objects.get(owner=alice)
    assert start["Location"] == reverse("measures:response_take", args=[response.pk])
    page = client.get(start["Location"]).content.decode()
    assert "question 1 of 10" in page and "Little interest or pleasure" in page
    nxt = client.post(start["Location"], {"q": "1", "phq9_1": "2", "nav": "next"})
    assert nxt["Location"].endswith("?q=2")
    flagged = client.post(start["Location"], {"q": "9", "phq9_9": "1", "nav": "next"})
    assert flagged["Location"].startswith(reverse("measures:response_support", args=[response.pk]))
    support = client.get(flagged["Location"]).content.decode()
    assert support.index("Call 112") < support.index("Continue the questionnaire")
    assert "You deserve support" in support
    back = client.post(start["Location"], {"q": "2", "phq9_2": "1", "nav": "back"})
    assert back["Location"].endswith("?q=1")


def test_htmx_autosave_redirects_to_support_on_a_flag(alice: User) -> None:
    response = actions.start_response(alice, "phq9", "all")
    client = Client()
    client.force_login(alice)
    url = reverse("measures:response_answer", args=[response.pk])
    ok = client.post(url, {"item": "phq9_1", "value": "3"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "saved" in ok.content.decode()
    bad = client.post(url, {"item": "phq9_1", "value": "7"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "Not saved" in bad.content.decode()
    flagged = client.post(url, {"item": "phq9_9", "value": "3"}, HTTP_HX_REQUEST="true")
    assert flagged["HX-Redirect"] == reverse("measures:response_support", args=[response.pk])
    response.refresh_from_db()
    assert response.answers == {"phq9_1": 3, "phq9_9": 3}


def test_result_page_shows_crisis_resources_before_the_score(alice: User) -> None:
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, PHQ9_OK | {"phq9_9": 1})
    actions.submit_response(alice, response.pk)
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("measures:response_result", args=[response.pk])).content.decode()
    main = page[page.index("<main") :]
    assert main.index("Call 112") < main.index("your result")
    assert "screening questionnaire, not a diagnosis" in page
    assert "Spitzer" in page


def test_screener_result_page_has_chart_table_and_feedback(alice: User) -> None:
    from individuate.measures.registry import instruments

    child = instruments()["enmeshment-child"]
    response = actions.start_response(alice, "enmeshment-child")
    actions.save_answers(alice, response.pk, {i.id: 4 for i in child.items})
    actions.submit_response(alice, response.pk)
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("measures:response_result", args=[response.pk])).content.decode()
    assert "<svg" in page and 'aria-hidden="true"' in page  # chart, decorative
    stored = Response.objects.get(pk=response.pk).subscales
    for subscale in child.subscales:
        assert escape(subscale.label) in page  # in the text table and the feedback
        assert escape(subscale.feedback_for(stored[subscale.id])) in page
    assert "not a validated diagnostic test" in page


def test_history_chart_appears_when_repeated(alice: User) -> None:
    for answers in (PHQ9_OK | {"phq9_1": 3, "phq9_2": 3}, PHQ9_OK):
        response = actions.start_response(alice, "phq9")
        actions.save_answers(alice, response.pk, answers)
        actions.submit_response(alice, response.pk)
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("measures:response_result", args=[response.pk])).content.decode()
    assert "Over time" in page and page.count('class="chart"') == 2
    assert "-4" in page  # 12 → 8


def test_export_and_deletion_cover_responses_and_flags(alice: User) -> None:
    import json

    from individuate.core.privacy import delete_account, export_records

    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {"phq9_9": 1})
    exported = export_records(alice)
    assert exported["measure_responses"][0]["answers"] == {"phq9_9": 1}
    assert exported["safety_flags"][0]["flag"] == "self_harm"
    assert "phq9" in json.dumps(exported)
    delete_account(alice)
    assert not Response.objects.exists() and not SafetyFlag.objects.exists()


def test_therapists_cannot_take_questionnaires(therapist: User) -> None:
    with pytest.raises(ActionError) as exc:
        actions.start_response(therapist, "phq9")
    assert exc.value.code == "forbidden"


def test_unknown_instrument(alice: User) -> None:
    with pytest.raises(ActionError) as exc:
        actions.start_response(alice, "beck")
    assert exc.value.code == "not_found"
    assert not Response.objects.exists()


def _sittings(alice: User, *answer_sets: dict) -> list[Response]:
    done = []
    for answers in answer_sets:
        response = actions.start_response(alice, "phq9")
        actions.save_answers(alice, response.pk, answers)
        done.append(actions.submit_response(alice, response.pk))
    return done


def test_result_over_time_answers_in_words_before_the_chart(alice: User) -> None:
    high = {f"phq9_{n}": 2 for n in range(1, 9)} | {"phq9_9": 0}  # 16
    first, second, third = _sittings(alice, high, PHQ9_OK, PHQ9_OK | {"phq9_1": 2})  # 16, 8, 9
    client = Client()
    client.force_login(alice)
    day = f"{third.completed_at.day} {third.completed_at:%b}"
    page = client.get(f"/measures/r/{third.pk}/result/").content.decode()
    answer = (
        f"Your total went up by 1 since the time before ({day}), to 9: within day-to-day variation. "
        f"It is 7 lower than the first time ({day} {third.completed_at:%Y}, 16)."
    )
    assert answer in page
    assert page.index("Over time") < page.index(answer) < page.rindex('class="chart"')
    assert "Show every result (3)" in page, "the full list is there, folded beneath"
    page = client.get(f"/measures/r/{second.pk}/result/").content.decode()
    assert (
        f"Your total went down by 8 since the time before ({day}), to 8: a change larger than day-to-day variation."
        in page
    )
    # the questionnaires page: one line per questionnaire with its change since the time before
    index = client.get("/measures/").content.decode()
    assert "Up 1 since the time before." in index
    assert index.count("since the time before") == 1, "only PHQ-9 was taken more than once"
