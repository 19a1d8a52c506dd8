"""Therapist connections and consent grants: both accept; the client alone decides scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import connect, make_user
from individuate.accounts.models import User
from individuate.boundaries import actions
from individuate.boundaries.models import ConsentGrant, TherapistConnection
from individuate.core.errors import ActionError


def test_client_request_then_therapist_accepts(alice: User, therapist: User) -> None:
    connection = actions.request_therapist(alice, therapist.pk, "my mother calls nightly")
    assert connection.status == "pending"
    assert mail.outbox[-1].to == ["therapist@example.com"]
    assert "nightly" not in mail.outbox[-1].body  # no detail in e-mail
    assert "Alice" not in mail.outbox[-1].body
    actions.answer_connection_request(therapist, connection.pk, accept=True)
    connection.refresh_from_db()
    assert connection.status == "active"


def test_client_cannot_accept_own_request(alice: User, therapist: User) -> None:
    connection = actions.request_therapist(alice, therapist.pk)
    with pytest.raises(ActionError):
        actions.answer_connection_request(alice, connection.pk, accept=True)
    connection.refresh_from_db()
    assert connection.status == "pending"


def test_therapist_invites_by_email_and_client_accepts(therapist: User) -> None:
    _, raw = actions.invite_client(therapist, "newclient@example.com", "Welcome")
    assert f"/connect/accept/{raw}/" in mail.outbox[-1].body
    client_user = make_user("newclient@example.com", "Nia")
    connection = actions.accept_connection_invitation(client_user, raw)
    assert (connection.status, connection.client_id) == ("active", client_user.pk)
    assert connection.active_scopes() == set()


def test_invitation_to_another_address_cannot_be_accepted(therapist: User, stranger: User) -> None:
    _, raw = actions.invite_client(therapist, "newclient@example.com")
    with pytest.raises(ActionError) as exc:
        actions.accept_connection_invitation(stranger, raw)
    assert exc.value.code == "forbidden"
    assert TherapistConnection.objects.get().status == "pending"


def test_expired_connection_invitation(therapist: User) -> None:
    _, raw = actions.invite_client(therapist, "newclient@example.com")
    TherapistConnection.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ActionError, match="expired"):
        actions.accept_connection_invitation(make_user("newclient@example.com"), raw)


def test_therapist_cannot_invite_self(therapist: User) -> None:
    with pytest.raises(ActionError, match="yourself"):
        actions.invite_client(therapist, "therapist@example.com")
    assert not TherapistConnection.objects.exists()


def test_duplicate_request_is_a_conflict(alice: User, therapist: User) -> None:
    actions.request_therapist(alice, therapist.pk)
    with pytest.raises(ActionError) as exc:
        actions.request_therapist(alice, therapist.pk)
    assert exc.value.code == "conflict"
    assert TherapistConnection.objects.count() == 1


def test_grant_and_revoke_with_bad_input(alice: User, therapist: User) -> None:
    connection = connect(therapist, alice)
    with pytest.raises(ActionError) as exc:
        actions.grant_scope(alice, connection.pk, "everything")
    assert exc.value.code == "invalid"
    actions.grant_scope(alice, connection.pk, "measures")
    with pytest.raises(ActionError) as exc:
        actions.grant_scope(alice, connection.pk, "measures")
    assert exc.value.code == "conflict"
    actions.revoke_scope(alice, connection.pk, "measures")
    with pytest.raises(ActionError) as exc:
        actions.revoke_scope(alice, connection.pk, "measures")
    assert exc.value.code == "conflict"
    assert ConsentGrant.objects.filter(revoked_at__isnull=True).count() == 0
    assert ConsentGrant.objects.count() == 1


def test_therapist_cannot_grant_themselves_access(alice: User, therapist: User) -> None:
    connection = connect(therapist, alice)
    with pytest.raises(ActionError) as exc:
        actions.grant_scope(therapist, connection.pk, "journal")
    assert exc.value.code == "forbidden"
    assert not ConsentGrant.objects.exists()


def test_ending_connection_revokes_every_grant(alice: User, therapist: User) -> None:
    connection = connect(therapist, alice, ("measures", "journal"))
    actions.end_connection(therapist, connection.pk)
    assert not ConsentGrant.objects.filter(revoked_at__isnull=True).exists()
    with pytest.raises(ActionError):
        actions.grant_scope(alice, connection.pk, "measures")


def test_scope_toggle_page_grants_and_revokes(alice: User, therapist: User) -> None:
    connection = connect(therapist, alice)
    client = Client()
    client.force_login(alice)
    url = reverse("boundaries:scope_toggle", args=[connection.pk, "plans"])
    client.post(url, {"share": "on"})
    assert connection.active_scopes() == {"plans"}
    page = client.get(reverse("boundaries:my_therapists")).content.decode()
    assert 'data-scope="plans" data-state="on"' in page
    client.post(url, {"share": "off"})
    assert connection.active_scopes() == set()
    response = client.post(
        reverse("boundaries:scope_toggle", args=[connection.pk, "nope"]), {"share": "on"}, follow=True
    )
    assert "There is no scope" in response.content.decode()
    assert not ConsentGrant.objects.filter(revoked_at__isnull=True).exists()


def test_therapist_accepts_request_on_clients_page(alice: User, therapist: User) -> None:
    connection = actions.request_therapist(alice, therapist.pk)
    client = Client()
    client.force_login(therapist)
    assert "Alice" in client.get(reverse("portal:clients")).content.decode()
    client.post(reverse("boundaries:connection_answer", args=[connection.pk]), {"decision": "accept"})
    connection.refresh_from_db()
    assert connection.status == "active"


def test_hidden_therapist_cannot_be_asked(alice: User, therapist: User) -> None:
    therapist.therapist_profile.accepting_clients = False
    therapist.therapist_profile.save()
    with pytest.raises(ActionError) as exc:
        actions.request_therapist(alice, therapist.pk)
    assert exc.value.code == "not_found"
    assert not TherapistConnection.objects.exists()


def test_request_withdraw_loop_emails_the_therapist_once(alice: User, therapist: User) -> None:
    for _ in range(3):
        connection = actions.request_therapist(alice, therapist.pk)
        actions.end_connection(alice, connection.pk)
    assert [m.to for m in mail.outbox] == [["therapist@example.com"]]
    for _ in range(actions.CONNECTION_REQUESTS_PER_DAY - 3):
        connection = actions.request_therapist(alice, therapist.pk)
        actions.end_connection(alice, connection.pk)
    with pytest.raises(ActionError, match="enough requests"):
        actions.request_therapist(alice, therapist.pk)


def test_no_reinvitation_email_after_client_declined(therapist: User) -> None:
    _, raw = actions.invite_client(therapist, "newclient@example.com")
    actions.decline_connection_invitation(make_user("newclient@example.com"), raw)
    TherapistConnection.objects.update(created_at=timezone.now() - timedelta(days=60))
    mail.outbox.clear()
    actions.invite_client(therapist, "newclient@example.com")
    assert not mail.outbox


def test_declining_a_therapists_invitation_on_its_page_leaves_the_page(therapist: User) -> None:
    _, raw = actions.invite_client(therapist, "newclient@example.com")
    page = Client()
    page.force_login(make_user("newclient@example.com"))
    answer = page.post(reverse("boundaries:connection_accept", args=[raw]), {"decision": "decline"})
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:dashboard")
    assert TherapistConnection.objects.get().status == TherapistConnection.Status.DECLINED
