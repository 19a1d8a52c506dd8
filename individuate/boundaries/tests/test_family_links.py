"""Family links: both accept, either ends it silently, and nothing is ever visible across."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from individuate.accounts.models import User
from individuate.boundaries import actions
from individuate.boundaries.models import FamilyLink, TrackedPerson
from individuate.core.errors import ActionError
from individuate.core.models import LimitEvent
from individuate.core.privacy import export_records


def _invite(alice: User, email: str = "mother@example.com") -> str:
    other = alice.others.get(name="my mother")
    _, raw = actions.invite_family_member(alice, other.pk, email)
    return raw


def test_invitation_is_emailed_and_accepting_links_both_sides(alice: User) -> None:
    mother = make_user("mother@example.com", "Margit")
    raw = _invite(alice)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mother@example.com"]
    assert f"/links/accept/{raw}/" in mail.outbox[0].body
    assert actions.link_state(alice.others.get()) == "invited"

    link = actions.accept_family_invitation(mother, raw, new_name="my daughter", new_role="child")
    assert link.status == "active"
    assert actions.link_state(alice.others.get()) == "linked"
    assert actions.link_state(mother.others.get(name="my daughter")) == "linked"


def test_invitation_to_oneself_is_refused(alice: User) -> None:
    with pytest.raises(ActionError, match="yourself"):
        _invite(alice, "ALICE@example.com")
    assert not FamilyLink.objects.exists()
    assert not mail.outbox


def test_someone_elses_invitation_cannot_be_accepted(alice: User, stranger: User) -> None:
    make_user("mother@example.com")
    raw = _invite(alice)
    with pytest.raises(ActionError) as exc:
        actions.accept_family_invitation(stranger, raw, new_name="x", new_role="parent")
    assert exc.value.code == "forbidden"
    assert FamilyLink.objects.get().status == "pending"
    assert not stranger.others.exists()


def test_expired_invitation_cannot_be_accepted(alice: User) -> None:
    mother = make_user("mother@example.com")
    raw = _invite(alice)
    FamilyLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionError, match="expired"):
        actions.accept_family_invitation(mother, raw, new_name="my daughter", new_role="child")
    assert FamilyLink.objects.get().status == "pending"
    assert actions.link_state(alice.others.get()) == "not linked"
    assert not mother.others.exists()


def test_accepting_twice_is_refused(alice: User) -> None:
    mother = make_user("mother@example.com")
    raw = _invite(alice)
    actions.accept_family_invitation(mother, raw, new_name="my daughter", new_role="child")
    with pytest.raises(ActionError):
        actions.accept_family_invitation(mother, raw, new_name="again", new_role="child")
    assert mother.others.count() == 1


def test_decline_is_silent_for_the_inviter(alice: User) -> None:
    mother = make_user("mother@example.com")
    raw = _invite(alice)
    mail.outbox.clear()
    actions.decline_family_invitation(mother, raw)
    # Until the invitation would have expired anyway, the inviter still sees "invited".
    assert actions.link_state(alice.others.get()) == "invited"
    assert not mail.outbox
    exported = json.dumps(export_records(alice))
    assert "declined" not in exported and "responded" not in exported
    FamilyLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert actions.link_state(alice.others.get()) == "not linked"


def test_no_invitation_email_ever_again_after_a_decline(alice: User) -> None:
    mother = make_user("mother@example.com")
    actions.decline_family_invitation(mother, _invite(alice))
    FamilyLink.objects.update(
        expires_at=timezone.now() - timedelta(days=1),
        created_at=timezone.now() - timedelta(days=90),
    )
    mail.outbox.clear()
    _invite(alice)
    assert actions.link_state(alice.others.get()) == "invited"  # the inviter cannot tell
    assert not mail.outbox


def test_withdrawing_and_reinviting_sends_one_email_a_month(alice: User) -> None:
    other = alice.others.get()
    for _ in range(3):
        _invite(alice)
        actions.unlink(alice, other.pk)
    assert [m.to for m in mail.outbox] == [["mother@example.com"]]


def test_daily_invitation_cap(alice: User) -> None:
    for n in range(actions.INVITES_PER_DAY):
        other = actions.add_other(alice, f"person {n}", "other")
        actions.invite_family_member(alice, other.pk, f"p{n}@example.com")
    other = actions.add_other(alice, "one too many", "other")
    with pytest.raises(ActionError, match="enough invitations"):
        actions.invite_family_member(alice, other.pk, "late@example.com")
    assert actions.link_state(other) == "not linked"


def test_invitation_email_carries_none_of_the_inviters_own_words(alice: User) -> None:
    alice.display_name = "CALL YOUR MOTHER NOW"
    alice.save()
    alice.emailaddress_set.update(email="call-your-mother-now@example.com")
    User.objects.filter(pk=alice.pk).update(email="call-your-mother-now@example.com")
    _invite(alice)
    message = mail.outbox[-1]
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    for text in (str(message.subject), str(message.body), html):
        assert "CALL YOUR MOTHER" not in text.upper()
        assert "call-your-mother" not in text and "my mother" not in text
    assert "/links/never/" in message.body and "/links/accept/" in message.body


def _fresh_parent_account(n: int) -> User:
    parent = make_user(f"second-account-{n}@example.com", "Another account")
    TrackedPerson.objects.create(owner=parent, name="my kid", role="child")
    return parent


def test_after_a_decline_no_account_can_reach_the_address_for_a_year(alice: User) -> None:
    """The family-reach test: a parent who was told no opens new accounts and tries again."""
    mother = make_user("mother@example.com")
    actions.decline_family_invitation(mother, _invite(alice))
    FamilyLink.objects.update(created_at=timezone.now() - timedelta(days=60))  # past the 30-day quiet time
    mail.outbox.clear()
    for n, address in enumerate(["mother@example.com", "MOTHER@example.com", "mother+x@example.com"]):
        parent = _fresh_parent_account(n)
        link, _ = actions.invite_family_member(parent, parent.others.get().pk, address)
        assert actions.link_state(parent.others.get()) == "invited"  # the inviter is not told
    assert not mail.outbox
    # A year later the address can be asked again (the setting FAMILY_REFUSAL_DAYS).
    from individuate.boundaries.models import DoNotInvite

    DoNotInvite.objects.update(until=timezone.now() - timedelta(seconds=1))
    FamilyLink.objects.update(created_at=timezone.now() - timedelta(days=60))
    LimitEvent.objects.update(at=timezone.now() - timedelta(days=60))
    parent = _fresh_parent_account(9)
    actions.invite_family_member(parent, parent.others.get().pk, "mother@example.com")
    assert [m.to for m in mail.outbox] == [["mother@example.com"]]


def test_ending_a_link_blocks_new_invitations_from_anyone(alice: User, mother: User) -> None:
    actions.unlink(mother, mother.others.get(name="my daughter").pk)  # the invited side ends it
    assert actions.link_state(alice.others.get()) == "not linked"
    FamilyLink.objects.update(created_at=timezone.now() - timedelta(days=60))
    mail.outbox.clear()
    parent = _fresh_parent_account(1)
    actions.invite_family_member(parent, parent.others.get().pk, "mother@example.com")
    # ...and the one who ended it can still invite (the child decides).
    actions.invite_family_member(mother, mother.others.get(name="my daughter").pk, "someone@example.com")
    assert [m.to for m in mail.outbox] == [["someone@example.com"]]


def test_one_invitation_email_per_mailbox_a_month_from_anyone(alice: User) -> None:
    _invite(alice)
    parent = _fresh_parent_account(1)
    actions.invite_family_member(parent, parent.others.get().pk, "Mother+again@Example.com")
    assert [m.to for m in mail.outbox] == [["mother@example.com"]]


def test_never_ask_me_again_link_blocks_everyone_for_good(alice: User) -> None:
    from individuate.boundaries.models import DoNotInvite

    _invite(alice)
    path = next(line for line in mail.outbox[-1].body.split() if "/links/never/" in line).split("8000", 1)[-1]
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200 and not DoNotInvite.objects.exists()  # a GET only asks
    assert anonymous.post(path).status_code == 200
    entry = DoNotInvite.objects.get()
    assert entry.until is None and "mother" not in entry.address_hash
    assert anonymous.post(path[:-5] + "xxxx/").status_code == 404  # a forged link
    FamilyLink.objects.update(created_at=timezone.now() - timedelta(days=400))
    LimitEvent.objects.update(at=timezone.now() - timedelta(days=400))
    mail.outbox.clear()
    parent = _fresh_parent_account(1)
    actions.invite_family_member(parent, parent.others.get().pk, "mother@example.com")
    assert not mail.outbox


def test_child_ends_link_silently_and_parent_sees_only_not_linked(alice: User, mother: User) -> None:
    mail.outbox.clear()
    actions.unlink(alice, alice.others.get().pk)
    daughter = mother.others.get(name="my daughter")
    assert actions.link_state(daughter) == "not linked"
    assert not mail.outbox
    client = Client()
    client.force_login(mother)
    page = client.get(reverse("boundaries:others")).content.decode()
    assert "Not linked" in page
    assert "ended" not in page.lower()
    exported = json.dumps(export_records(mother))
    assert "ended" not in exported and '"state": "not linked"' in exported


def test_unlinking_twice_is_a_conflict(alice: User, mother: User) -> None:
    actions.unlink(alice, alice.others.get().pk)
    with pytest.raises(ActionError) as exc:
        actions.unlink(alice, alice.others.get().pk)
    assert exc.value.code == "conflict"


def test_parent_cannot_open_childs_others_list_or_edit_them(alice: User, mother: User) -> None:
    client = Client()
    client.force_login(mother)
    mine = alice.others.get()
    client.post(reverse("boundaries:other_edit", args=[mine.pk]), {"name": "renamed", "role": "other"})
    assert client.post(reverse("boundaries:other_remove", args=[mine.pk]), {"confirmed": "yes"}).status_code == 404
    assert client.post(reverse("boundaries:family_unlink", args=[mine.pk]), {"confirmed": "yes"}).status_code == 404
    mine.refresh_from_db()
    assert (mine.name, mine.role) == ("my mother", "parent")
    assert actions.link_state(mine) == "linked"
    assert client.get(f"/api/people/{alice.pk}/records/checkins").status_code == 404
    assert (
        client.put(
            f"/api/others/{mine.pk}",
            {"name": "x", "role": "other"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_linked_parent_has_no_page_that_shows_the_child(alice: User, mother: User) -> None:
    client = Client()
    client.force_login(mother)
    for name in (
        "portal:dashboard",
        "boundaries:others",
        "boundaries:access_log",
        "boundaries:my_therapists",
        "accounts:settings",
    ):
        body = client.get(reverse(name)).content.decode()
        assert "alice@example.com" not in body
        assert "Alice" not in body


def test_accept_page_flow(alice: User) -> None:
    mother = make_user("mother@example.com", "Margit")
    raw = _invite(alice)
    client = Client()
    client.force_login(mother)
    page = client.get(reverse("boundaries:family_accept", args=[raw]))
    assert page.status_code == 200 and "Link your account" in page.content.decode()
    client.post(
        reverse("boundaries:family_accept", args=[raw]),
        {"new_name": "my daughter", "new_role": "child", "decision": "accept"},
    )
    assert actions.link_state(TrackedPerson.objects.get(owner=mother)) == "linked"


def test_duplicate_and_oversized_names_are_refused(alice: User) -> None:
    with pytest.raises(ActionError):
        actions.add_other(alice, "My Mother", "parent")
    with pytest.raises(ActionError):
        actions.add_other(alice, "x" * 61, "parent")
    with pytest.raises(ActionError):
        actions.add_other(alice, "   ", "parent")
    with pytest.raises(ActionError):
        actions.add_other(alice, "my aunt", "aunt")
    assert alice.others.count() == 1


def test_declining_on_the_invitation_page_leaves_the_page(alice: User) -> None:
    raw = _invite(alice)
    page = Client()
    page.force_login(make_user("mother@example.com", "Margit", perspective="parent"))
    answer = page.post(reverse("boundaries:family_accept", args=[raw]), {"decision": "decline"})
    assert answer.status_code == 302 and answer["Location"] == reverse("boundaries:others")
    assert FamilyLink.objects.get().status == FamilyLink.Status.DECLINED
