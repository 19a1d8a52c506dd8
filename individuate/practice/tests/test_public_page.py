"""The therapist's public page editor: headline, approach, contact and a checked, resized photo."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from individuate.accounts.models import User
from individuate.practice.actions import profile_of


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _picture(fmt: str = "PNG", size: tuple[int, int] = (1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 110)).save(out, fmt)
    return out.getvalue()


def _editor(therapist: User) -> Client:
    client = Client()
    client.force_login(therapist)
    return client


def _post(client: Client, **extra: Any) -> Any:
    data = {
        "headline": "Counselling for adult children and parents",
        "approach": "Calm, practical, one step at a time.",
        "services": ["counselling", "mediation"],
        "c-contact_email": "practice@example.com",
        "c-contact_phone": "+00 0000 0000",
        **extra,
    }
    return client.post(reverse("practice:public_page_edit"), data)


def test_therapist_edits_public_page_with_a_resized_photo(
    therapist: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = _editor(therapist)
    response = _post(client, new_photo=SimpleUploadedFile("me.png", _picture(), content_type="image/png"))
    assert response.status_code == 302
    profile = profile_of(therapist)
    assert profile.headline == "Counselling for adult children and parents"
    assert profile.services == ["counselling", "mediation"]
    therapist.therapist_profile.refresh_from_db()
    assert therapist.therapist_profile.contact_email == "practice@example.com"
    with profile.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and max(image.size) == 480

    public = Client().get(reverse("practice:public_profile", args=[profile.slug])).content.decode()
    assert "Counselling for adult children and parents" in public and "practice@example.com" in public
    photo = Client().get(reverse("practice:profile_photo", args=[profile.slug]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"

    old = profile.photo.name
    assert default_storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, remove_photo="on")
    profile.refresh_from_db()
    assert not profile.photo and not default_storage.exists(old)
    assert Client().get(reverse("practice:profile_photo", args=[profile.slug])).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.png", b"not a picture at all", content_type="image/png"), "Upload a valid image"),
        (SimpleUploadedFile("anim.gif", _picture("GIF", (20, 20)), content_type="image/gif"), "JPEG, PNG or WebP"),
    ],
)
def test_bad_photo_is_refused_next_to_its_field_and_nothing_changes(therapist: User, upload: Any, message: str) -> None:
    client = _editor(therapist)
    response = _post(client, new_photo=upload)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'class="field has-error"' in page
    profile = profile_of(therapist)
    assert profile.headline == "" and not profile.photo


def test_too_large_photo_is_refused(therapist: User, monkeypatch: Any) -> None:
    from individuate.practice import forms

    monkeypatch.setattr(forms, "PHOTO_MAX_MB", 0.001)  # about 1 KB; the picture is larger
    big = SimpleUploadedFile("big.png", _picture(), content_type="image/png")
    response = _post(_editor(therapist), new_photo=big)
    assert "The photo is larger than" in response.content.decode()
    assert not profile_of(therapist).photo


def test_therapist_settings_speak_in_words(therapist: User) -> None:
    client = _editor(therapist)
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert "I come here as" not in settings_page and reverse("practice:public_page_edit") in settings_page
    rules = client.get(reverse("practice:practice_settings")).content.decode()
    assert "Minimum notice before a booking (hours)" in rules
    assert "How far ahead clients can book (days)" in rules
    assert "Clients cannot book a time that starts sooner than this." in rules


def test_contact_form_errors_stand_next_to_their_fields(therapist: User) -> None:
    slug = profile_of(therapist).slug
    response = Client().post(reverse("practice:public_profile", args=[slug]), {"name": "", "email": "not-an-address"})
    page = response.content.decode()
    assert response.status_code == 200
    email_field = page.split('for="id_email"', 1)[1].split('<div class="field', 1)[0]
    assert "Enter a valid email address." in email_field
    assert page.count("Enter a valid email address.") == 1  # beside the field, not repeated at the top
    assert "Please correct the fields marked below." in page


def test_deleting_the_account_removes_the_photo_file(therapist: User, django_capture_on_commit_callbacks: Any) -> None:
    from individuate.core.privacy import delete_account

    _post(_editor(therapist), new_photo=SimpleUploadedFile("me.png", _picture(), content_type="image/png"))
    name = profile_of(therapist).photo.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(therapist)
    assert not default_storage.exists(name)
