"""A form sent with a mistake comes back with the error beside its field and what was typed
kept (status 422) — not a redirect with a message at the top of another page."""

from __future__ import annotations

import re

from django.contrib.messages import get_messages
from django.test import Client

from conftest import connect
from individuate.accounts.models import User
from individuate.boundaries.models import TrackedPerson
from individuate.measures.models import Assignment
from individuate.practice.models import AvailabilityException


def _in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _error_right_after(page: str, field_marker: str, error: str) -> None:
    """ERROR sits in the same field block as FIELD_MARKER, after it."""
    start = page.index(field_marker)
    block = page[start : start + 1200]
    assert error in block, block
    assert "errorlist" in block[: block.index(error)]


def test_family_invite_with_a_bad_address_shows_it_beside_the_field(alice: User) -> None:
    mother = alice.others.get(name="my mother")
    client = _in(alice)
    page = client.post(f"/people/{mother.pk}/invite/", {"email": "mum@@example"})
    assert page.status_code == 422
    html = page.content.decode()
    _error_right_after(html, f'id="invite-{mother.pk}"', "Enter a valid email address.")
    assert 'value="mum@@example"' in html, "what was typed is kept"
    assert re.search(r"<details open>\s*<summary>Invite them", html), "the form is open, not folded away"
    # at the top only a pointer to the field, as elsewhere ("beside_fields" in core/http.py)
    assert [str(m) for m in get_messages(page.wsgi_request)] == ["Please correct the fields marked below."]
    assert html.count("Please correct the fields marked below.") == 1, "shown on this page, not the next"
    assert "Enter a valid email address." not in html[: html.index("<main")]


def test_renaming_to_nothing_shows_the_error_beside_the_name(alice: User) -> None:
    mother = alice.others.get(name="my mother")
    page = _in(alice).post(f"/people/{mother.pk}/edit/", {"name": "", "role": "zzz"})
    assert page.status_code == 422
    html = page.content.decode()
    _error_right_after(html, f'id="edit-{mother.pk}-name"', "This field is required.")
    _error_right_after(html, f'id="edit-{mother.pk}-role"', "Select a valid choice.")
    assert TrackedPerson.objects.get(pk=mother.pk).name == "my mother"


def test_someone_elses_person_is_still_not_found(alice: User, stranger: User) -> None:
    mother = alice.others.get(name="my mother")
    client = _in(stranger)
    assert client.post(f"/people/{mother.pk}/edit/", {"name": ""}).status_code == 404
    assert client.post(f"/people/{mother.pk}/invite/", {"email": "x"}).status_code == 404


def test_adding_someone_without_a_name_is_422_with_the_error_beside_it(alice: User) -> None:
    page = _in(alice).post("/people/", {"name": "", "role": "parent"})
    assert page.status_code == 422
    _error_right_after(page.content.decode(), 'id="id_name"', "This field is required.")


def test_assigning_with_a_bad_start_date_keeps_the_choice(alice: User, therapist: User) -> None:
    connect(therapist, alice, ("measures",))
    page = _in(therapist).post(
        f"/clients/{alice.pk}/measures/assign/",
        {"instrument": "gad7", "recurrence": "weekly", "starts_on": "31.02.2027"},
    )
    assert page.status_code == 422
    html = page.content.decode()
    _error_right_after(html, 'id="id_starts_on"', "Enter a valid date.")
    assert 'value="31.02.2027"' in html
    assert re.search(r'<option value="gad7" selected>', html), "the questionnaire chosen stays chosen"
    assert not Assignment.objects.exists()


def test_assignment_form_errors_do_not_open_a_client_without_the_grant(alice: User, therapist: User) -> None:
    connect(therapist, alice, ())
    page = _in(therapist).post(f"/clients/{alice.pk}/measures/assign/", {"instrument": ""})
    assert page.status_code == 403


def test_time_off_with_a_bad_date_shows_it_beside_the_date(therapist: User) -> None:
    page = _in(therapist).post("/practice/exceptions/", {"day": "31.02.2030", "kind": "extra", "start": "9"})
    assert page.status_code == 422
    html = page.content.decode()
    _error_right_after(html, 'id="exc-day"', "Give a date like 2027-03-12.")
    _error_right_after(html, 'id="exc-start"', "Give a time like 09:00.")
    assert 'value="31.02.2030"' in html and '<option value="extra" selected>' in html
    assert not AvailabilityException.objects.exists()
    assert "Booking rules" in html
