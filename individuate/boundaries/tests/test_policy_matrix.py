"""Who may see which kind of alice's records — through the pages and through the API.

One row per viewer; every kind of record that can be shared. Allowed reads by
someone else must land in alice's access log; denials only in the operator's.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from conftest import connect, make_therapist_user
from individuate.accounts.actions import issue_api_token
from individuate.accounts.models import User
from individuate.boundaries import actions
from individuate.boundaries.models import SCOPES, AccessEvent

SHAREABLE = list(SCOPES)  # measures, checkins, journal, plans, coupling
# every registered kind a viewer could ask for, and the scope that opens it
KIND_SCOPE = {
    "others": "checkins",
    "checkin": "checkins",
    "contact_event": "checkins",
    "journal_entry": "journal",
    "coupling_report": "coupling",
}
KINDS = ["profile", *SHAREABLE, *KIND_SCOPE]


def page_url(owner: User, kind: str) -> str:
    if kind == "profile":
        return reverse("boundaries:shared_overview", args=[owner.pk])
    return reverse("boundaries:shared_records", args=[owner.pk, kind])


def api_url(owner: User, kind: str) -> str:
    if kind == "profile":
        return f"/api/people/{owner.pk}/profile"
    return f"/api/people/{owner.pk}/records/{kind}"


def _viewer(name: str, alice: User, mother: User, stranger: User, therapist: User, outsider: User) -> User:
    """Build the viewer and its relationship to alice. Returns the viewer."""
    if name == "self":
        return alice
    if name == "linked_parent":
        return mother
    if name == "stranger":
        return stranger
    if name == "unconnected_therapist":
        return outsider
    if name == "therapist_all_granted":
        connect(therapist, alice, tuple(SHAREABLE))
        return therapist
    if name == "therapist_no_grant":
        connect(therapist, alice)
        return therapist
    if name == "therapist_after_revoke":
        connection = connect(therapist, alice, tuple(SHAREABLE))
        for scope in SHAREABLE:
            actions.revoke_scope(alice, connection.pk, scope)
        return therapist
    if name == "therapist_without_mfa":
        connect(therapist, alice, tuple(SHAREABLE))
        Authenticator.objects.filter(user=therapist).delete()
        return therapist
    if name == "therapist_connection_ended":
        connection = connect(therapist, alice, tuple(SHAREABLE))
        actions.end_connection(alice, connection.pk)
        return therapist
    raise AssertionError(name)


# viewer -> {kind: expected status}
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
EXPECTED: dict[str, dict[str, int]] = {
    "self": dict.fromkeys(KINDS, OK),
    "linked_parent": dict.fromkeys(KINDS, NOT_FOUND),
    "stranger": dict.fromkeys(KINDS, NOT_FOUND),
    "unconnected_therapist": dict.fromkeys(KINDS, NOT_FOUND),
    "therapist_all_granted": dict.fromkeys(KINDS, OK),
    "therapist_no_grant": {"profile": OK, **dict.fromkeys(SHAREABLE, FORBIDDEN)},
    "therapist_after_revoke": {"profile": OK, **dict.fromkeys(SHAREABLE, FORBIDDEN)},
    "therapist_without_mfa": dict.fromkeys(KINDS, FORBIDDEN),
    "therapist_connection_ended": dict.fromkeys(KINDS, NOT_FOUND),
}
for _row in EXPECTED.values():
    for _kind, _scope in KIND_SCOPE.items():
        _row[_kind] = _row[_scope]
CASES = [(viewer, kind, status) for viewer, row in EXPECTED.items() for kind, status in row.items()]


@pytest.mark.parametrize(("viewer_name", "kind", "expected"), CASES)
@pytest.mark.parametrize("via", ["page", "api"])
def test_policy_matrix(
    viewer_name: str,
    kind: str,
    expected: int,
    via: str,
    alice: User,
    mother: User,
    stranger: User,
    therapist: User,
    outsider: User,
) -> None:
    viewer = _viewer(viewer_name, alice, mother, stranger, therapist, outsider)
    client = Client()
    if via == "page":
        client.force_login(viewer)
        response = client.get(page_url(alice, kind))
    else:
        _, raw = issue_api_token(viewer, "test")
        response = client.get(api_url(alice, kind), HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == expected, response.content[:300]
    body = response.content.decode()
    # "my mother" is alice's record of kind "others" (under the checkins scope).
    shows_people = KIND_SCOPE.get(kind, kind) == "checkins" and expected == OK
    assert ("my mother" in body) is shows_people

    logged = AccessEvent.objects.filter(owner=alice, viewer=viewer, kind=kind, via=via)
    if viewer == alice:
        assert not logged.exists(), "reading your own records is not an access by someone else"
    else:
        assert logged.count() == 1
        assert logged.get().allowed is (expected == OK)
        in_owner_log = actions.access_log(alice).filter(viewer=viewer, kind=kind).exists()
        assert in_owner_log is (expected == OK)


def test_allowed_read_appears_on_owners_access_log_page(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("journal",))
    reader = Client()
    reader.force_login(therapist)
    assert reader.get(page_url(alice, "journal")).status_code == 200

    owner = Client()
    owner.force_login(alice)
    page = owner.get(reverse("boundaries:access_log")).content.decode()
    assert "Dr. Test Therapist (therapist)" in page
    assert "Journal entries" in page  # in words, not the kind's code
    api = owner.get("/api/access-log").json()["items"]
    assert [(e["kind"], e["via"]) for e in api] == [("journal", "page")]


def test_denied_reads_are_not_in_the_owners_log_but_are_kept_for_the_operator(alice: User, mother: User) -> None:
    client = Client()
    client.force_login(mother)
    assert client.get(page_url(alice, "checkins")).status_code == 404
    assert not actions.access_log(alice).exists()
    denial = AccessEvent.objects.get(viewer=mother)
    assert (denial.allowed, denial.reason) == (False, "no_relationship")


def test_revoked_grant_blocks_api_on_the_very_next_request(alice: User, therapist: User) -> None:
    connection = connect(therapist, alice, ("checkins",))
    _, raw = issue_api_token(therapist, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    assert client.get(api_url(alice, "checkins"), **auth).status_code == 200
    actions.revoke_scope(alice, connection.pk, "checkins")
    assert client.get(api_url(alice, "checkins"), **auth).status_code == 403


def test_therapist_without_mfa_sees_no_client_names(alice: User) -> None:
    bare = make_therapist_user("bare@example.com", "Dr. Bare", mfa=False)
    connect(bare, alice, ("checkins",))
    client = Client()
    client.force_login(bare)
    page = client.get(reverse("portal:clients")).content.decode()
    assert "two-factor" in page.lower()
    assert "Alice" not in page


def test_unknown_kind_is_not_found(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    assert client.get(f"/api/people/{alice.pk}/records/diary").status_code == 404
    assert client.get(f"/shared/{alice.pk}/access_log/").status_code == 404


def test_anonymous_gets_401_from_api_and_login_redirect_from_pages(alice: User) -> None:
    client = Client()
    assert client.get(api_url(alice, "checkins")).status_code == 401
    response = client.get(page_url(alice, "checkins"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_registered_kind_is_in_the_matrix() -> None:
    from individuate.boundaries.policy import KINDS as REGISTERED
    from individuate.boundaries.policy import OWNER_ONLY

    shareable = {name for name, kind in REGISTERED.items() if kind.scope != OWNER_ONLY}
    assert shareable == set(KINDS)
