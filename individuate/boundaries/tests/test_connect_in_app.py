"""Connecting without leaving the app: a therapist's invitation answered on the dashboard,
and a logged-in person asking to connect from the therapist's public page, then booking."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from conftest import make_user
from individuate.accounts.models import User
from individuate.boundaries import actions
from individuate.boundaries.models import TherapistConnection
from individuate.practice.actions import profile_of


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pending_invitation_is_accepted_inside_the_app(therapist: User, alice: User) -> None:
    connection, _ = actions.invite_client(therapist, alice.email, "Glad to work with you.")
    me = _client(alice)
    page = me.get(reverse("portal:dashboard")).content.decode()
    assert "Dr. Test Therapist invites you to connect" in page and "Glad to work with you." in page
    assert reverse("boundaries:invitation_answer", args=[connection.pk]) in page
    assert "invites you to connect" in me.get(reverse("boundaries:my_therapists")).content.decode()

    # Someone else cannot answer it, even knowing the id.
    sam = make_user("sam@example.com", "Sam")
    _client(sam).post(reverse("boundaries:invitation_answer", args=[connection.pk]), {"decision": "accept"})
    connection.refresh_from_db()
    assert connection.status == "pending" and connection.client is None

    response = me.post(reverse("boundaries:invitation_answer", args=[connection.pk]), {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == reverse("boundaries:my_therapists")
    connection.refresh_from_db()
    assert connection.status == "active" and connection.client == alice
    assert "invites you to connect" not in me.get(reverse("portal:dashboard")).content.decode()
    # Answered once: a second answer changes nothing.
    me.post(reverse("boundaries:invitation_answer", args=[connection.pk]), {"decision": "decline"})
    connection.refresh_from_db()
    assert connection.status == "active"


def test_pending_invitation_can_be_declined_and_bad_input_changes_nothing(therapist: User, alice: User) -> None:
    connection, _ = actions.invite_client(therapist, alice.email)
    me = _client(alice)
    me.post(reverse("boundaries:invitation_answer", args=[connection.pk]), {"decision": "maybe"})
    connection.refresh_from_db()
    assert connection.status == "pending"
    me.post(reverse("boundaries:invitation_answer", args=[connection.pk]), {"decision": "decline"})
    connection.refresh_from_db()
    assert connection.status == "declined" and connection.client is None
    assert me.post(reverse("boundaries:invitation_answer", args=[99999]), {"decision": "accept"}).status_code == 302


def test_ask_to_connect_from_public_page_then_book(therapist: User, alice: User) -> None:
    slug = profile_of(therapist).slug
    me = _client(alice)
    public = reverse("practice:public_profile", args=[slug])
    page = me.get(public).content.decode()
    assert "Ask to connect" in page and reverse("boundaries:connection_request", args=[therapist.pk]) in page
    book = me.get(reverse("practice:book", args=[therapist.pk])).content.decode()
    assert "Ask to connect" in book  # no loop back to the profile: the request is right here

    response = me.post(
        reverse("boundaries:connection_request", args=[therapist.pk]), {"message": "Hello", "next": public}
    )
    assert response["Location"] == reverse("boundaries:my_therapists")
    connection = TherapistConnection.objects.get(therapist=therapist, client=alice)
    assert connection.status == "pending"
    assert "Once they accept, you can book" in me.get(public).content.decode()

    actions.answer_connection_request(therapist, connection.pk, True)
    page = me.get(public).content.decode()
    assert "Book a session" in page and reverse("practice:book", args=[therapist.pk]) in page
    assert "Ask to connect" not in me.get(reverse("practice:book", args=[therapist.pk])).content.decode()


def test_connect_request_never_redirects_off_site(therapist: User, alice: User) -> None:
    response = _client(alice).post(
        reverse("boundaries:connection_request", args=[therapist.pk]),
        {"message": "x" * 600, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("boundaries:therapists")
    assert not TherapistConnection.objects.filter(client=alice).exists()
