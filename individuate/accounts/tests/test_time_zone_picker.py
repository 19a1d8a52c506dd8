"""The time-zone picker: a text box with suggestions (common zones first); only real zones are saved."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from individuate.accounts.models import User


def test_time_zone_picker_suggests_common_zones_first_and_checks_the_answer(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert 'list="id_p-time_zone-zones"' in page and '<datalist id="id_p-time_zone-zones">' in page
    options = page.split('<datalist id="id_p-time_zone-zones">', 1)[1]
    assert options.index('value="Europe/London"') < options.index('value="Africa/Abidjan"')

    response = client.post(reverse("accounts:settings"), {"p-display_name": "Alice", "p-time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Choose a time zone from the list" in response.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone != "Mars/Olympus"

    client.post(reverse("accounts:settings"), {"p-display_name": "Alice", "p-time_zone": "America/Toronto"})
    alice.refresh_from_db()
    assert alice.time_zone == "America/Toronto"
