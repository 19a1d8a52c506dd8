"""The clinical review of the questionnaires: wording, scoring, change, who can see, safety."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from conftest import connect
from individuate.accounts.models import User
from individuate.core.crisis import crisis_resources
from individuate.core.errors import ActionError
from individuate.measures import actions, reports
from individuate.measures.instruments import BUILTIN_DIR
from individuate.measures.models import Response, SafetyFlag
from individuate.measures.registry import instruments
from individuate.measures.scoring import score

PHQ9_OK = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 0}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _complete(owner: User, instrument_id: str, answers: dict[str, int]) -> Response:
    response = actions.start_response(owner, instrument_id)
    actions.save_answers(owner, response.pk, answers)
    return actions.submit_response(owner, response.pk)


# ---------------------------------------------------------------- PHQ-9 and GAD-7


def test_phq9_lowest_band_is_none_to_minimal() -> None:
    phq9 = instruments()["phq9"]
    assert score(phq9, {f"phq9_{n}": 0 for n in range(1, 10)}).band == "none–minimal"
    assert phq9.band_for(4).label == "none–minimal" and phq9.band_for(5).label == "mild"


def test_a_five_point_phq9_change_is_not_reliable_but_six_is(alice: User) -> None:
    """5 points is a clinically meaningful change; reliable change needs 6."""
    assert instruments()["phq9"].reliable_change == 6
    assert instruments()["gad7"].reliable_change == 4
    _complete(alice, "phq9", PHQ9_OK | {"phq9_1": 3, "phq9_2": 3, "phq9_3": 3})  # 14
    _complete(alice, "phq9", PHQ9_OK | {"phq9_1": 2})  # 9: -5
    _complete(alice, "phq9", PHQ9_OK | {"phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3})  # 16: +7
    points = reports.history(alice, instruments()["phq9"], reports.reliable_change_for(instruments()["phq9"]))
    assert [(p.change, p.reliable) for p in points] == [(None, False), (-5.0, False), (7.0, True)]


@pytest.mark.parametrize("ident", ["phq9", "gad7"])
def test_public_domain_files_name_source_date_and_the_whole_licence(ident: str) -> None:
    instrument = instruments()[ident]
    assert instrument.licence.endswith("no permission required to reproduce, translate, display or distribute.")
    header = (BUILTIN_DIR / f"{ident}.yaml").read_text(encoding="utf-8").split("\nid:")[0]
    assert "Source of the reproduced text" in header and "www.phqscreeners.com" in header
    assert re.search(r"Reproduced into this file on \d{4}-\d{2}-\d{2}", header)
    assert re.search(r"(J Gen Intern Med 2001|Arch Intern Med 2006)", header)


@pytest.mark.parametrize("layout", ["one", "all"])
def test_attribution_is_shown_where_the_questionnaire_is_taken(alice: User, layout: str) -> None:
    response = actions.start_response(alice, "phq9", layout)
    page = _client(alice).get(reverse("measures:response_take", args=[response.pk])).content.decode()
    assert "Robert L. Spitzer" in page and "Pfizer" in page


# ---------------------------------------------------------------- our screeners


def test_screener_labels_read_higher_means_more_of_the_problem() -> None:
    child, parent = instruments()["enmeshment-child"], instruments()["enmeshment-parent"]
    labels = {s.label for s in child.subscales} | {s.label for s in parent.subscales}
    for wrong_way in ("Room for your own life", "A self apart from the relationship", "Letting them be separate"):
        assert wrong_way not in labels
    by_id = {s.id: s for s in child.subscales}
    assert "higher means more" in by_id["boundary_intrusion"].about
    assert "respected" not in by_id["boundary_intrusion"].about
    assert "higher means harder" in by_id["identity"].about
    assert "higher means harder" in {s.id: s for s in parent.subscales}["separateness"].about


def test_double_barrelled_items_are_split_with_stable_and_new_ids() -> None:
    child, parent = instruments()["enmeshment-child"], instruments()["enmeshment-parent"]
    assert child.version == parent.version == "2"
    kept_and_new = {
        "ec_boundary_1": "ec_boundary_5",
        "ec_guilt_4": "ec_guilt_5",
        "ec_identity_4": "ec_identity_5",
        "ec_worth_1": "ec_worth_5",
    }
    for kept, new in kept_and_new.items():
        assert child.item(kept).subscale == child.item(new).subscale
        assert " and " not in child.item(kept).text and " and " not in child.item(new).text
    assert parent.item("ep_ready_3").subscale == parent.item("ep_ready_5").subscale == "readiness"
    assert "worry" not in parent.item("ep_ready_3").text and "worry" in parent.item("ep_ready_5").text
    assert child.item("ec_worth_3").text != "One critical remark from my parent can stay with me for days."
    assert "for days" not in child.item("ec_worth_3").text


def test_parent_form_asks_about_guilt_coolness_and_privacy() -> None:
    parent = instruments()["enmeshment-parent"]
    texts = {i.id: i.text for i in parent.items}
    assert "hurt me" in texts["ep_separate_5"]  # guilt induction
    assert "quiet or cool" in texts["ep_separate_6"]  # withdrawing warmth
    assert "private things" in texts["ep_involve_6"]  # intruding on privacy
    assert {i.id for i in parent.total_items()} >= {"ep_separate_5", "ep_separate_6", "ep_involve_6"}


@pytest.mark.parametrize("ident", ["enmeshment-child", "enmeshment-parent"])
def test_screening_notes_say_closeness_is_normal_in_many_cultures_and_in_care(ident: str) -> None:
    note = " ".join(instruments()[ident].screening_note.split())
    assert "many families and cultures" in note and "care" in note


def test_resentment_is_reported_but_kept_out_of_the_child_total() -> None:
    child = instruments()["enmeshment-child"]
    resentment = next(s for s in child.subscales if s.id == "resentment")
    assert not resentment.in_total
    calm = {i.id: (2 if not i.reverse else 4) for i in child.items}
    angry = dict(calm, **{i.id: (5 if not i.reverse else 1) for i in child.items if i.subscale == "resentment"})
    assert score(child, calm).total == score(child, angry).total == pytest.approx(2.0)
    assert score(child, angry).subscales["resentment"] == pytest.approx(5.0)


def test_low_readiness_with_few_signs_does_not_assume_a_problem(mother: User) -> None:
    parent = instruments()["enmeshment-parent"]
    # Few signs everywhere, readiness low.
    answers = {i.id: (1 if not i.reverse else 5) for i in parent.items}
    result = score(parent, answers)
    assert result.band == "few signs" and result.subscales["readiness"] == pytest.approx(1.0)
    readiness = next(s for s in parent.subscales if s.id == "readiness")
    with_few = readiness.feedback_for(1.0, "few signs")
    with_many = readiness.feedback_for(1.0, "many signs")
    assert "heavy" not in with_few and "may simply be how things are" in " ".join(with_few.split())
    assert "heavy" in with_many
    response = _complete(mother, "enmeshment-parent", answers)
    page = _client(mother).get(reverse("measures:response_result", args=[response.pk])).content.decode()
    assert escape(with_few) in page and escape(with_many) not in page


def test_when_band_must_name_a_band() -> None:
    from pathlib import Path

    from individuate.measures.instruments import InstrumentError, parse_instrument

    text = (BUILTIN_DIR / "enmeshment-parent.yaml").read_text(encoding="utf-8")
    broken = text.replace("            few signs: >-", "            hardly any: >-")
    with pytest.raises(InstrumentError, match="'hardly any' is not a band"):
        parse_instrument(Path("enmeshment-parent.yaml"), broken)


# ---------------------------------------------------------------- who can see


def test_take_pages_say_exactly_who_can_see_the_answers(alice: User, therapist: User, mother: User) -> None:
    response = actions.start_response(alice, "enmeshment-child", "all")
    url = reverse("measures:response_take", args=[response.pk])
    alone = _client(alice).get(url).content.decode()
    assert "Only you can see your answers" in alone and "nobody else sees" not in alone.lower()
    connect(therapist, alice, ("measures",))
    shared = _client(alice).get(url).content.decode()
    assert f"You and {escape(therapist.name)} can see your answers" in shared
    assert "Only you can see your answers" not in shared
    # The parent form never promises "yours alone".
    for instrument in instruments().values():
        assert "yours alone" not in instrument.instructions
        assert "nobody else sees" not in instrument.instructions.lower()
    parent_response = actions.start_response(mother, "enmeshment-parent", "all")
    page = _client(mother).get(reverse("measures:response_take", args=[parent_response.pk])).content.decode()
    assert "never shown your answers" in page and "Only you can see your answers" in page


def test_a_revoked_grant_is_no_longer_named(alice: User, therapist: User) -> None:
    from individuate.boundaries.visibility import who_can_see

    connection = connect(therapist, alice, ("measures",))
    assert therapist.name in who_can_see(alice, "measures")
    connection.grants.update(revoked_at=timezone.now())
    assert who_can_see(alice, "measures").startswith("Only you can see")


# ---------------------------------------------------------------- safety


def test_item9_keeps_first_highest_and_latest_and_a_rise_shows_support_again(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    response = actions.start_response(alice, "phq9")
    mail.outbox.clear()
    _, first = actions.save_answers(alice, response.pk, {"phq9_9": 1})
    flag = SafetyFlag.objects.get(response=response)
    assert first == [flag] and (flag.value, flag.highest_value, flag.latest_value) == (1, 1, 1)
    actions.mark_flag_seen(therapist, flag.pk)
    _, rose = actions.save_answers(alice, response.pk, {"phq9_9": 3})
    flag.refresh_from_db()
    assert rose == [flag] and (flag.value, flag.highest_value, flag.latest_value) == (1, 3, 3)
    assert flag.rose_at is not None and not flag.seen.exists()  # new to the therapist again
    assert len(mail.outbox) == 2
    _, lower = actions.save_answers(alice, response.pk, {"phq9_9": 0})
    flag.refresh_from_db()
    assert lower == [] and (flag.highest_value, flag.latest_value) == (3, 0)
    _, back_up = actions.save_answers(alice, response.pk, {"phq9_9": 2})
    assert back_up == [] and len(mail.outbox) == 2  # not above the highest: no new alert
    actions.save_answers(alice, response.pk, {k: v for k, v in PHQ9_OK.items() if k != "phq9_9"})
    done = actions.submit_response(alice, response.pk)
    assert done.flags == ["self_harm"] and SafetyFlag.objects.filter(owner=alice).count() == 1


def test_a_rise_sends_the_browser_to_the_support_page_again(alice: User) -> None:
    response = actions.start_response(alice, "phq9", "one")
    client = _client(alice)
    url = reverse("measures:response_answer", args=[response.pk])
    support = reverse("measures:response_support", args=[response.pk])
    assert client.post(url, {"item": "phq9_9", "value": "1"})["HX-Redirect"] == support
    assert "HX-Redirect" not in client.post(url, {"item": "phq9_9", "value": "1"})
    assert client.post(url, {"item": "phq9_9", "value": "2"})["HX-Redirect"] == support


def test_one_per_screen_radios_autosave_on_change(alice: User) -> None:
    response = actions.start_response(alice, "phq9", "one")
    page = _client(alice).get(reverse("measures:response_take", args=[response.pk]) + "?q=9").content.decode()
    radios = re.findall(r'<input type="radio" name="phq9_9"[^>]*>', page, flags=re.S)
    assert len(radios) == 4
    for radio in radios:
        assert f'hx-post="{reverse("measures:response_answer", args=[response.pk])}"' in radio
        assert 'hx-trigger="change"' in radio
    assert "<script" not in page[page.index("<main") :] and "{#" not in page


def test_support_page_says_suicide_plainly_and_who_was_told(alice: User, therapist: User) -> None:
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {"phq9_9": 1})
    url = reverse("measures:response_support", args=[response.pk])
    alone = _client(alice).get(url).content.decode()
    assert "suicide" in alone and "No one has been told automatically" in alone
    assert "Your therapist has been told" not in alone
    connect(therapist, alice, ("measures",))
    told = _client(alice).get(url).content.decode()
    assert "Your therapist has been told" in told and "No one has been told automatically" not in told


def _phone_resources() -> list[dict[str, str]]:
    phones = [r for r in crisis_resources()["resources"] if r["tel"]]
    assert len(phones) >= 4  # 911, 999, 112, 988, 116 123
    return phones


def test_every_crisis_number_on_support_urgent_and_result_is_tap_to_call(alice: User) -> None:
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, PHQ9_OK | {"phq9_9": 2})
    client = _client(alice)
    pages = {"support": client.get(reverse("measures:response_support", args=[response.pk])).content.decode()}
    pages["urgent"] = client.get(reverse("measures:response_urgent", args=[response.pk])).content.decode()
    actions.submit_response(alice, response.pk)
    pages["result"] = client.get(reverse("measures:response_result", args=[response.pk])).content.decode()
    for name, page in pages.items():
        main = page[page.index("<main") :]
        for resource in _phone_resources():
            digits = re.sub(r"\D", "", resource["how"])
            assert f'href="tel:{digits}"' in main, (name, resource["how"])
        # One button per region, none of them "the" number for everyone.
        assert main.count('class="button call"') == len(crisis_resources()["urgent"]) >= 3, name
        assert "findahelpline.com" in main or name == "urgent"


def test_followup_yes_leads_to_the_emergency_screen_and_tells_the_therapist(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {"phq9_9": 1})
    mail.outbox.clear()
    client = _client(alice)
    support = client.get(reverse("measures:response_support", args=[response.pk])).content.decode()
    assert "Two questions about right now" in support and "Written for Individuate" in support
    assert "Are you having thoughts of suicide right now?" in support
    reply = client.post(
        reverse("measures:response_followup", args=[response.pk]),
        {"thinking_now": "yes", "plan_or_act": "no", "next": "/measures/r/1/?q=10"},
    )
    assert reply.status_code == 302 and reply["Location"].startswith(
        reverse("measures:response_urgent", args=[response.pk])
    )
    flag = SafetyFlag.objects.get(response=response)
    assert (flag.thinking_now, flag.plan_or_act, flag.urgent) == (True, False, True)
    assert len(mail.outbox) == 1
    urgent = client.get(reply["Location"]).content.decode()
    main = urgent[urgent.index("<main") :]
    assert main.index('class="button call"') < main.index("Back to the questionnaire")
    assert "Please get help now" in main


def test_followup_no_goes_back_with_a_word_and_bad_input_changes_nothing(alice: User) -> None:
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {"phq9_9": 1})
    client = _client(alice)
    url = reverse("measures:response_followup", args=[response.pk])
    bad = client.post(url, {"thinking_now": "maybe"})
    assert bad.status_code == 400 and "Please choose yes or no." in bad.content.decode()
    assert SafetyFlag.objects.get(response=response).followed_up_at is None
    target = reverse("measures:response_take", args=[response.pk]) + "?q=10"
    fine = client.post(url, {"thinking_now": "no", "plan_or_act": "no", "next": target})
    assert fine["Location"] == target
    flag = SafetyFlag.objects.get(response=response)
    assert (flag.thinking_now, flag.plan_or_act, flag.urgent) == (False, False, False)
    # An outside address is never followed.
    away = client.post(url, {"thinking_now": "no", "plan_or_act": "no", "next": "//evil.example/"})
    assert away["Location"] == reverse("measures:response_take", args=[response.pk])


def test_followup_without_a_flag_is_refused(alice: User, stranger: User) -> None:
    response = actions.start_response(alice, "phq9")
    with pytest.raises(ActionError):
        actions.record_followup(alice, response.pk, True, True)
    actions.save_answers(alice, response.pk, {"phq9_9": 1})
    assert _client(stranger).post(reverse("measures:response_followup", args=[response.pk]), {}).status_code == 404


def test_a_weeks_old_flagged_sitting_is_closed_and_a_fresh_one_started(alice: User) -> None:
    old = actions.start_response(alice, "phq9")
    actions.save_answers(alice, old.pk, {"phq9_1": 2, "phq9_9": 1})
    Response.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=actions.STALE_DAYS + 7))
    fresh = actions.start_response(alice, "phq9")
    old.refresh_from_db()
    assert fresh.pk != old.pk and fresh.answers == {} and fresh.status == "in_progress"
    assert old.status == "closed" and old.answers == {"phq9_1": 2, "phq9_9": 1}
    assert SafetyFlag.objects.filter(response=old).exists()  # the flag is kept
    with pytest.raises(ActionError):
        actions.save_answers(alice, old.pk, {"phq9_2": 1})
    client = _client(alice)
    assert client.get(reverse("measures:response_take", args=[old.pk]))["Location"] == reverse("measures:measures")


def test_api_safety_response_carries_the_crisis_resources(alice: User) -> None:
    response = actions.start_response(alice, "phq9")
    client = _client(alice)
    saved = client.patch(
        f"/api/responses/{response.pk}/answers", {"answers": {"phq9_9": 1}}, content_type="application/json"
    ).json()
    safety = saved["safety"]
    assert safety["intro"] == crisis_resources()["intro"]
    by_how = {r["how"]: r for r in safety["resources"]}
    assert by_how["911"]["tel"] == "tel:911" and by_how["911"]["urgent"] is True
    assert by_how["988"]["tel"] == "tel:988" and "Canada" in by_how["988"]["name"]
    assert by_how["findahelpline.com"]["url"] == "https://findahelpline.com/"


def test_therapist_client_page_gives_guidance_and_shows_the_followup(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {"phq9_9": 1})
    actions.save_answers(alice, response.pk, {"phq9_9": 2})
    actions.record_followup(alice, response.pk, False, True)
    page = _client(therapist).get(reverse("measures:client_measures", args=[alice.pk])).content.decode()
    assert "What to do with a safety flag" in page and "ask directly about suicidal thoughts" in page
    assert "emergency procedure" in page
    assert "Highest answer 2, latest 2" in page
    assert re.search(r"a plan or an act <strong>yes</strong>", page) and "urgent" in page


def test_the_export_holds_the_highest_latest_and_followup(alice: User) -> None:
    from individuate.core.privacy import export_records

    response = actions.start_response(alice, "phq9")
    actions.save_answers(alice, response.pk, {"phq9_9": 1})
    actions.save_answers(alice, response.pk, {"phq9_9": 3})
    actions.record_followup(alice, response.pk, True, False)
    (flag,) = export_records(alice)["safety_flags"]
    assert (flag["value"], flag["highest_value"], flag["latest_value"]) == (1, 3, 3)
    assert flag["thinking_of_suicide_now"] is True and flag["plan_or_act"] is False
    assert flag["followed_up_at"] and flag["rose_at"]
