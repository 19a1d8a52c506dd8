"""The JSON API: auth, validation, and errors with the right status and nothing changed."""

from __future__ import annotations

from django.test import Client

from conftest import connect
from individuate.accounts.actions import issue_api_token, revoke_api_token
from individuate.accounts.models import User
from individuate.boundaries.models import ConsentGrant, TherapistConnection, TrackedPerson


def _token_client(user: User) -> tuple[Client, dict[str, str]]:
    _, raw = issue_api_token(user, "tests")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_schema_lists_the_endpoints(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/me",
        "/api/others",
        "/api/connections",
        "/api/access-log",
        "/api/me/export",
        "/api/connections/{connection_id}/grants",
    ):
        assert path in schema["paths"], path


def test_requests_without_credentials_get_401(db: None) -> None:
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_revoked_token_stops_working(alice: User) -> None:
    token, raw = issue_api_token(alice, "laptop")
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/me", **auth).json()["email"] == "alice@example.com"
    revoke_api_token(alice, token.pk)
    assert client.get("/api/me", **auth).status_code == 401


def test_others_crud_and_validation(alice: User) -> None:
    client, auth = _token_client(alice)
    created = client.post(
        "/api/others",
        {"name": "my father", "role": "parent"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    assert created.json()["link"] == "not linked"

    duplicate = client.post(
        "/api/others",
        {"name": "MY FATHER", "role": "parent"},
        content_type="application/json",
        **auth,
    )
    assert duplicate.status_code == 409 and "already" in duplicate.json()["detail"]

    oversized = client.post(
        "/api/others", {"name": "x" * 61, "role": "parent"}, content_type="application/json", **auth
    )
    assert oversized.status_code == 422

    bad_role = client.post("/api/others", {"name": "boss", "role": "boss"}, content_type="application/json", **auth)
    assert bad_role.status_code == 422

    malformed = client.post("/api/others", "{not json", content_type="application/json", **auth)
    assert malformed.status_code == 400
    assert "parse" in malformed.json()["detail"].lower()

    assert sorted(TrackedPerson.objects.filter(owner=alice).values_list("name", flat=True)) == [
        "my father",
        "my mother",
    ]


def test_invite_oneself_via_api_is_422(alice: User) -> None:
    client, auth = _token_client(alice)
    other = alice.others.get()
    response = client.post(
        f"/api/others/{other.pk}/invite",
        {"email": "alice@example.com"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert "yourself" in response.json()["detail"]


def test_grant_unknown_scope_422_and_revoke_twice_409(alice: User, therapist: User) -> None:
    connection = connect(therapist, alice)
    client, auth = _token_client(alice)
    url = f"/api/connections/{connection.pk}/grants"
    assert client.post(url, {"scope": "diary"}, content_type="application/json", **auth).status_code == 422
    granted = client.post(url, {"scope": "measures"}, content_type="application/json", **auth)
    assert granted.status_code == 201 and granted.json()["scopes"] == ["measures"]
    assert client.post(url, {"scope": "measures"}, content_type="application/json", **auth).status_code == 409
    assert client.delete(f"{url}/measures", **auth).status_code == 204
    again = client.delete(f"{url}/measures", **auth)
    assert again.status_code == 409 and "nothing to revoke" in again.json()["detail"]
    assert ConsentGrant.objects.count() == 1


def test_other_persons_connection_is_not_found(alice: User, stranger: User, therapist: User) -> None:
    connection = connect(therapist, alice)
    client, auth = _token_client(stranger)
    response = client.post(
        f"/api/connections/{connection.pk}/grants",
        {"scope": "measures"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 404
    assert client.post(f"/api/connections/{connection.pk}/end", **auth).status_code == 404
    assert TherapistConnection.objects.get().status == "active"


def test_accepting_someone_elses_invitation_is_403(alice: User, stranger: User) -> None:
    from individuate.boundaries import actions

    _, raw = actions.invite_family_member(alice, alice.others.get().pk, "mother@example.com")
    client, auth = _token_client(stranger)
    response = client.post(
        f"/api/family-invitations/{raw}/accept",
        {"new_name": "x", "new_role": "parent"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert not stranger.others.exists()


def test_request_and_answer_connection_via_api(alice: User, therapist: User) -> None:
    client, auth = _token_client(alice)
    created = client.post("/api/connections", {"therapist_id": therapist.pk}, content_type="application/json", **auth)
    assert created.status_code == 201 and created.json()["status"] == "pending"
    tclient, tauth = _token_client(therapist)
    answered = tclient.post(
        f"/api/connections/{created.json()['id']}/answer",
        {"accept": True},
        content_type="application/json",
        **tauth,
    )
    assert answered.status_code == 200 and answered.json()["status"] == "active"
    not_a_therapist = client.post(
        "/api/connections", {"therapist_id": alice.pk}, content_type="application/json", **auth
    )
    assert not_a_therapist.status_code == 404


def test_update_profile_validates_time_zone(alice: User) -> None:
    client, auth = _token_client(alice)
    bad = client.patch("/api/me", {"time_zone": "Mars/Olympus"}, content_type="application/json", **auth)
    assert bad.status_code == 422
    good = client.patch("/api/me", {"time_zone": "Asia/Kolkata"}, content_type="application/json", **auth)
    assert good.json()["time_zone"] == "Asia/Kolkata"


def test_session_api_requires_csrf_for_writes(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/me").status_code == 200
    response = client.post("/api/others", {"name": "x", "role": "parent"}, content_type="application/json")
    assert response.status_code == 403
    assert alice.others.count() == 1


def test_api_docs_load_nothing_from_third_parties(db: None) -> None:
    body = Client().get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in body
    assert "cdn." not in body and "https://" not in body


def test_nul_characters_are_refused_not_a_server_error(alice: User) -> None:
    client, auth = _token_client(alice)
    response = client.post(
        "/api/others",
        {"name": "my\x00aunt", "role": "other"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    patch = client.patch("/api/me", {"display_name": "A\x00"}, content_type="application/json", **auth)
    assert patch.status_code == 422
    assert alice.others.count() == 1


def test_therapist_without_mfa_cannot_list_or_answer_via_api(alice: User) -> None:
    from conftest import make_therapist_user
    from individuate.boundaries import actions

    bare = make_therapist_user("bare@example.com", "Dr. Bare", mfa=False)
    connection = actions.request_therapist(alice, bare.pk)
    client, auth = _token_client(bare)
    listing = client.get("/api/connections", **auth)
    assert listing.status_code == 403 and "Alice" not in listing.content.decode()
    answer = client.post(
        f"/api/connections/{connection.pk}/answer",
        {"accept": True},
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 403
    connection.refresh_from_db()
    assert connection.status == "pending"
