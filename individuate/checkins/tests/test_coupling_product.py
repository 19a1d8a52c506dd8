"""Solo and joint coupling reports in the product: computed in batches, shown only as agreed."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import connect
from individuate.accounts.models import User
from individuate.boundaries.models import AccessEvent, FamilyLink
from individuate.checkins import coupling
from individuate.checkins.actions import local_today
from individuate.checkins.models import CheckIn, CouplingReport, PerceivedMood


def _simulate(alice: User, mother: User, days: int = 70, strength: float = 0.6) -> None:
    """Alice's mood follows her mother's (and how she sees it)."""
    rng = np.random.default_rng(3)
    other = alice.others.get(name="my mother")
    today = local_today(alice)
    m_prev = 0.0
    for day in range(days):
        date = today - timedelta(days=days - day)
        m = 0.4 * m_prev + rng.normal(0, 1.5)
        a = strength * m + rng.normal(0, 0.8)
        m_prev = m
        at = timezone.now() - timedelta(days=days - day)
        mine = CheckIn.objects.create(
            owner=alice,
            at=at,
            local_date=date,
            mood=int(np.clip(round(5 + a), 0, 10)),
            guilt=5,
            anger=3,
            anxiety=4,
        )
        PerceivedMood.objects.create(
            checkin=mine, other=other, value=int(np.clip(round(5 + m + rng.normal(0, 0.5)), 0, 10))
        )
        CheckIn.objects.create(
            owner=mother,
            at=at,
            local_date=date,
            mood=int(np.clip(round(5 + m), 0, 10)),
            guilt=3,
            anger=3,
            anxiety=3,
        )


def test_solo_report_is_computed_and_shown_to_its_owner_only(alice: User, mother: User, therapist: User) -> None:
    _simulate(alice, mother)
    assert coupling.recompute_solo() == 1
    report = CouplingReport.objects.get(kind="solo", owner=alice)
    concurrent = next(e for e in report.result["effects"] if e["kind"] == "concurrent")
    assert concurrent["estimate"] > 0.2 and concurrent["exceeds_chance"] is True
    assert report.result["windows"], "rolling 28-day windows"
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("checkins:coupling")).content.decode()
    assert "You and my mother" in page and 'class="chart"' in page
    # the mother has no report about alice, and cannot reach alice's
    client.force_login(mother)
    assert "You and my mother" not in client.get(reverse("checkins:coupling")).content.decode()
    assert client.get(f"/api/people/{alice.pk}/records/coupling_report").status_code == 404
    # a therapist sees it only with the coupling grant
    connect(therapist, alice, ("checkins",))
    client.force_login(therapist)
    assert client.get(reverse("boundaries:shared_records", args=[alice.pk, "coupling"])).status_code == 403
    therapist.client_connections.get().grants.create(scope="coupling")
    shared = client.get(reverse("boundaries:shared_records", args=[alice.pk, "coupling"])).content.decode()
    assert "concurrent" in shared and "my mother" in shared


def _link(alice: User, mother: User) -> FamilyLink:
    return FamilyLink.objects.get(inviter=alice, invitee=mother, status="active")


@pytest.mark.parametrize(
    ("alice_choice", "mother_choice", "alice_sees", "mother_sees", "computed"),
    [
        ((True, True), (True, True), True, True, True),
        ((True, True), (True, False), False, False, True),
        ((True, False), (True, True), False, False, True),
        ((True, True), (False, False), False, False, False),
        ((False, False), (True, True), False, False, False),
    ],
)
def test_joint_report_rules(
    alice_choice: tuple[bool, bool],
    mother_choice: tuple[bool, bool],
    alice_sees: bool,
    mother_sees: bool,
    computed: bool,
    alice: User,
    mother: User,
    therapist: User,
    outsider: User,
    stranger: User,
) -> None:
    _simulate(alice, mother)
    link = _link(alice, mother)
    coupling.set_joint_consent(alice, link, opted_in=alice_choice[0], share_with_other=alice_choice[1])
    coupling.set_joint_consent(mother, link, opted_in=mother_choice[0], share_with_other=mother_choice[1])
    coupling.recompute_joint()
    assert CouplingReport.objects.filter(kind="joint", link=link).exists() is computed
    from individuate.boundaries import policy

    parties = (alice, mother)
    consents = coupling.joint_consents(link)
    assert policy.decide_joint(alice, parties, consents).allowed is alice_sees
    assert policy.decide_joint(mother, parties, consents).allowed is mother_sees
    assert not policy.decide_joint(stranger, parties, consents).allowed
    assert not policy.decide_joint(outsider, parties, consents).allowed
    # A therapist holding either party's coupling grant sees it whenever it exists.
    connect(therapist, mother, ("coupling",))
    assert policy.decide_joint(therapist, parties, consents).allowed is computed
    # Pages agree: the interpretation text is on a party's page only when allowed.
    for person, sees in ((alice, alice_sees), (mother, mother_sees)):
        client = Client()
        client.force_login(person)
        page = client.get(reverse("checkins:coupling")).content.decode()
        assert ('class="stack joint-report"' in page) is sees


def test_joint_reads_are_logged_for_both(alice: User, mother: User) -> None:
    _simulate(alice, mother)
    link = _link(alice, mother)
    coupling.set_joint_consent(alice, link, opted_in=True, share_with_other=True)
    coupling.set_joint_consent(mother, link, opted_in=True, share_with_other=True)
    coupling.recompute_joint()
    client = Client()
    client.force_login(mother)
    client.get(reverse("checkins:coupling"))
    event = AccessEvent.objects.get(owner=alice, viewer=mother)
    assert (event.kind, event.allowed) == ("joint_coupling_report", True)
    # Withdrawing deletes the joint report at once.
    coupling.set_joint_consent(alice, link, opted_in=False, share_with_other=False)
    assert not CouplingReport.objects.filter(kind="joint").exists()


def test_raw_entries_never_cross_in_a_joint_report(alice: User, mother: User) -> None:
    CheckIn.objects.create(
        owner=alice,
        at=timezone.now(),
        local_date=local_today(alice),
        mood=2,
        guilt=9,
        anger=9,
        anxiety=9,
        note="alice-private-note",
    )
    _simulate(alice, mother)
    link = _link(alice, mother)
    for person in (alice, mother):
        coupling.set_joint_consent(person, link, opted_in=True, share_with_other=True)
    coupling.recompute_joint()
    client = Client()
    client.force_login(mother)
    assert "alice-private-note" not in client.get(reverse("checkins:coupling")).content.decode()
    report = CouplingReport.objects.get(kind="joint")
    assert "alice-private-note" not in str(report.result)


def test_nightly_task_recomputes_everyone_in_one_batch(alice: User, mother: User) -> None:
    from individuate.checkins.tasks import recompute_coupling

    _simulate(alice, mother)
    link = _link(alice, mother)
    for person in (alice, mother):
        coupling.set_joint_consent(person, link, opted_in=True, share_with_other=False)
    result = recompute_coupling.call()
    assert result == {"solo": 1, "joint": 1, "purged": 0}  # purged: deletions past their undo window
    assert CouplingReport.objects.filter(kind="joint", link=link).exists()


def test_joint_report_speaks_of_the_other_only_by_your_own_label(alice: User, mother: User) -> None:
    """Alice's display name is "Alice", the mother's "Margit": neither may reach the other."""
    _simulate(alice, mother)
    link = _link(alice, mother)
    for person in (alice, mother):
        coupling.set_joint_consent(person, link, opted_in=True, share_with_other=True)
    coupling.recompute_joint()
    stored = str(CouplingReport.objects.get(kind="joint", link=link).result)
    assert "Alice" not in stored and "Margit" not in stored
    pages = {}
    for person in (alice, mother):
        client = Client()
        client.force_login(person)
        page = client.get(reverse("checkins:coupling")).content.decode()
        pages[person.pk] = page.split('class="stack joint-report"', 1)[1].split("</ul>", 1)[0]
    assert "my mother" in pages[alice.pk] and "Margit" not in pages[alice.pk]
    assert "my daughter" in pages[mother.pk] and "Alice" not in pages[mother.pk]
    assert "PERSON_" not in pages[alice.pk] + pages[mother.pk]


def test_wording_for_each_side() -> None:
    text = "PERSON_A's mood carries over. On days after PERSON_B seemed upset, PERSON_A's own mood was lower."
    assert coupling.wording_for(text, viewer_is_inviter=True, other_label="my mother") == (
        "Your mood carries over. On days after my mother seemed upset, your own mood was lower."
    )
    assert coupling.wording_for(text, viewer_is_inviter=False, other_label="Chris") == (
        "Chris' mood carries over. On days after you seemed upset, Chris' own mood was lower."
    )


def test_windows_are_stored_without_sentences_and_handed_out_with_them(
    alice: User, mother: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The windows' sentences are not stored (half of a report), but the API and the export
    give the whole report, word for word as the engine writes it."""
    import json

    from dynamics.coupling.results import COMPACT, pair_text
    from individuate.accounts.actions import issue_api_token
    from individuate.checkins import records

    written: dict[tuple[str, str], dict] = {}
    report_text = coupling._report_text

    def keep_full_text(record, pooled):  # type: ignore[no-untyped-def]
        kind = "solo" if any(e[0] == "concurrent" for e in record.effects) else "joint"
        written[kind, record.pair_id] = {**json.loads(pair_text(record, 0, COMPACT)), "pooled": pooled}
        return report_text(record, pooled)

    monkeypatch.setattr(coupling, "_report_text", keep_full_text)
    import dynamics.coupling as engine

    for name in ("iter_solo_records", "iter_pair_records"):  # records with every sentence, for `written`
        fitter = getattr(engine, name)
        monkeypatch.setattr(engine, name, lambda *a, _f=fitter, **kw: _f(*a, **{**kw, "window_words": True}))
    _simulate(alice, mother, days=120)
    link = _link(alice, mother)
    for person in (alice, mother):
        coupling.set_joint_consent(person, link, opted_in=True, share_with_other=True)
    coupling.recompute_solo()
    coupling.recompute_joint()
    solo = CouplingReport.objects.get(kind="solo", owner=alice)
    joint = CouplingReport.objects.get(kind="joint", link=link)
    for report in (solo, joint):
        stored = [e for w in report.result["windows"] for e in w["effects"]]
        assert stored and not any("interpretation" in e for e in stored if e["estimate"] is not None)
        full = written[report.kind, str(report.other_id if report.kind == "solo" else link.pk)]
        assert len(json.dumps(report.result)) < 0.7 * len(json.dumps(full))
        assert coupling.report_json(report) == full  # (PostgreSQL's jsonb keeps no key order, SQLite does)
    _, raw = issue_api_token(alice, "t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/coupling").json()
    assert [{k: v for k, v in r.items() if k not in ("other_id", "computed_at")} for r in api] == [
        written["solo", str(solo.other_id)]
    ]
    assert [r["result"] for r in records.export_coupling(alice)] == [written["solo", str(solo.other_id)]]
