"""Your data is yours: export holds exactly the owner's records; deletion removes them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, connect, fresh_login
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import AuditEvent, User
from individuate.boundaries import actions
from individuate.boundaries.models import (
    AccessEvent,
    ConsentGrant,
    FamilyLink,
    TherapistConnection,
    TrackedPerson,
)


def _zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_export_contains_exactly_the_owners_records(alice: User, mother: User, stranger: User, therapist: User) -> None:
    TrackedPerson.objects.create(owner=stranger, name="stranger's boss", role="other")
    connect(therapist, alice, ("measures",))
    reader = Client()
    reader.force_login(therapist)
    reader.get(reverse("boundaries:shared_records", args=[alice.pk, "measures"]))

    client = fresh_login(alice)
    response = client.post(reverse("accounts:export"))
    assert response["Content-Type"] == "application/zip"
    files = _zip(response.content)
    for kind in (
        "profile",
        "others",
        "family_links",
        "therapist_connections",
        "consent_grants",
        "access_log",
        "api_tokens",
    ):
        assert f"{kind}.json" in files and f"{kind}.csv" in files, kind

    assert [o["name"] for o in json.loads(files["others.json"])] == ["my mother"]
    assert json.loads(files["profile.json"])[0]["email"] == "alice@example.com"
    assert [g["scope"] for g in json.loads(files["consent_grants.json"])] == ["measures"]
    log = json.loads(files["access_log.json"])
    assert [(e["who"], e["kind"]) for e in log] == [("Dr. Test Therapist (therapist)", "measures")]
    everything = b"".join(files.values()).decode()
    assert "stranger" not in everything
    assert "my daughter" not in everything  # the mother's own name for alice is hers
    assert "Margit" not in everything  # the mother's own profile is hers
    assert files["others.csv"].decode().splitlines()[0].startswith("name,role")


def test_export_via_api_needs_a_fresh_password(alice: User) -> None:
    _, raw = issue_api_token(alice, "t")
    api, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    refused = api.get("/api/me/export", **auth)
    assert refused.status_code == 403 and "export-token" in refused.json()["detail"]
    wrong = api.post("/api/me/export-token", {"password": "nope"}, content_type="application/json", **auth)
    assert wrong.status_code == 403
    got = api.post("/api/me/export-token", {"password": PASSWORD}, content_type="application/json", **auth)
    assert got.status_code == 201 and got.json()["expires_in"] == 300
    token = got.json()["token"]
    response = api.get("/api/me/export", {"token": token}, **auth)
    assert response.status_code == 200
    assert json.loads(_zip(response.content)["others.json"])[0]["name"] == "my mother"
    assert api.get("/api/me/export", {"token": token}, **auth).status_code == 403  # one download per token


def test_export_token_is_bound_to_its_account_and_expires(alice: User, stranger: User) -> None:
    from django.test import override_settings

    from individuate.accounts.actions import issue_export_token

    token = issue_export_token(alice, password=PASSWORD)
    other = Client()
    other.force_login(stranger)
    assert other.get("/api/me/export", {"token": token}).status_code == 403
    with override_settings(EXPORT_TOKEN_SECONDS=-1):
        mine = Client()
        mine.force_login(alice)
        assert "expired" in mine.get("/api/me/export", {"token": token}).json()["detail"]


def test_wrong_passwords_lock_reauthentication_everywhere(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    for _ in range(5):
        response = client.post("/api/me/export-token", {"password": "nope"}, content_type="application/json")
        assert response.status_code == 403
    # Now even the right password is refused for a while — on the API, the re-entry page and
    # the password change.
    locked = client.post("/api/me/export-token", {"password": PASSWORD}, content_type="application/json")
    assert locked.status_code == 429
    page = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert page.status_code == 200 and "Too many wrong attempts" in page.content.decode()
    change = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-new-long-password-9", "password2": "a-new-long-password-9"},
    )
    assert "Too many wrong attempts" in change.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_delete_account_removes_personal_data(alice: User, mother: User, therapist: User) -> None:
    connect(therapist, alice, ("checkins",))
    issue_api_token(alice, "t")
    reader = Client()
    reader.force_login(therapist)
    reader.get(reverse("boundaries:shared_records", args=[alice.pk, "checkins"]))
    alice_id = alice.pk

    client = fresh_login(alice)
    wrong = client.post(reverse("accounts:delete_account"), {"password": "nope", "confirm": "DELETE"})
    assert wrong.status_code == 200 and User.objects.filter(pk=alice_id).exists()

    client.post(reverse("accounts:delete_account"), {"password": "a-long-test-password-1", "confirm": "DELETE"})
    assert not User.objects.filter(pk=alice_id).exists()
    assert not TrackedPerson.objects.filter(owner_id=alice_id).exists()
    assert not TherapistConnection.objects.filter(client_id=alice_id).exists()
    assert not ConsentGrant.objects.exists()
    assert not AccessEvent.objects.filter(owner_id=alice_id).exists()
    assert not FamilyLink.objects.filter(inviter_id=alice_id).exists()
    # The mother keeps her own records and sees only "not linked".
    assert actions.link_state(mother.others.get()) == "not linked"
    audit = AuditEvent.objects.get(action="account_deleted")
    assert audit.role == "person"
    assert "alice" not in f"{audit.detail}{audit.action}".lower()
    # The therapist's dashboard no longer lists her.
    assert "Alice" not in reader.get(reverse("portal:clients")).content.decode()


def test_therapist_deletion_scrubs_their_name_from_client_logs(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("checkins",))
    reader = Client()
    reader.force_login(therapist)
    reader.get(reverse("boundaries:shared_records", args=[alice.pk, "checkins"]))
    from individuate.core.privacy import delete_account

    delete_account(therapist)
    assert list(actions.access_log(alice).values_list("viewer_label", flat=True)) == ["a deleted account"]


def test_export_and_token_ask_for_the_password_again_when_login_is_old(alice: User) -> None:
    client = Client()
    client.force_login(alice)  # a session with no recent authentication recorded
    for name in ("accounts:export", "accounts:api_tokens"):
        response = client.post(reverse(name), {"name": "x"})
        assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"], name
    assert not alice.api_tokens.exists()


def test_delete_asks_for_the_password_once_even_when_login_is_old(alice: User) -> None:
    client = Client()
    client.force_login(alice)  # no recent authentication: still no separate re-authentication step
    page = client.get(reverse("accounts:delete_account"))
    assert page.status_code == 200
    assert page.content.decode().count('type="password"') == 1
    missing = client.post(reverse("accounts:delete_account"), {"confirm": "DELETE"})
    assert missing.status_code == 200 and User.objects.filter(pk=alice.pk).exists()
    done = client.post(reverse("accounts:delete_account"), {"password": "a-long-test-password-1", "confirm": "DELETE"})
    assert done.status_code == 302 and not User.objects.filter(pk=alice.pk).exists()


def test_delete_password_guesses_are_rate_limited(alice: User) -> None:
    client = fresh_login(alice)
    statuses = [
        client.post(reverse("accounts:delete_account"), {"password": "wrong", "confirm": "DELETE"}).status_code
        for _ in range(12)
    ]
    assert 429 in statuses
    last = client.post(reverse("accounts:delete_account"), {"password": "a-long-test-password-1", "confirm": "DELETE"})
    assert last.status_code == 429
    assert User.objects.filter(pk=alice.pk).exists()


def test_password_change_revokes_api_tokens(alice: User) -> None:
    _, raw = issue_api_token(alice, "laptop")
    client = fresh_login(alice)
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "a-long-test-password-1",
            "password1": "another-long-pass-2",
            "password2": "another-long-pass-2",
        },
    )
    alice.refresh_from_db()
    assert alice.check_password("another-long-pass-2")
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_deletion_forgets_queued_emails_and_pending_invitations(therapist: User) -> None:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from conftest import make_user
    from individuate.boundaries.models import TherapistConnection
    from individuate.core.privacy import delete_account

    kim = make_user("kim@example.com", "Kim Private")
    kim_other = TrackedPerson.objects.create(owner=kim, name="my dad", role="parent")
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        actions.invite_family_member(kim, kim_other.pk, "dad-private@example.com")
        actions.invite_client(therapist, "kim@example.com")
        actions.invite_client(therapist, "someone.else@example.com")
    assert DBTaskResult.objects.count() == 3

    delete_account(kim)

    from individuate.core.models import OutgoingEmail

    remaining = json.dumps(list(DBTaskResult.objects.values_list("args_kwargs", flat=True)))
    assert "@" not in remaining  # the queue holds ids only
    queued = list(OutgoingEmail.objects.values_list("address", flat=True))
    assert queued == ["someone.else@example.com"]  # other people's mail is untouched
    assert not TherapistConnection.objects.filter(invite_email="kim@example.com").exists()
    assert TherapistConnection.objects.filter(invite_email="someone.else@example.com", status="pending").exists()
