"""A professional applies; the operator approves in the admin; nothing is listed or seen
before that, and two-factor comes first after it."""

from __future__ import annotations

from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.urls import reverse

from conftest import PASSWORD, connect, make_user
from individuate.accounts import actions
from individuate.accounts.models import TherapistProfile, User
from individuate.boundaries import policy
from individuate.boundaries.actions import therapist_directory
from individuate.core.errors import ActionError

APPLICATION = {
    "display_name": "Sam Okafor",
    "credentials": "Licensed family therapist (fictional)",
    "registration": "Fictional Board of Family Therapists, no. 0000-TEST",
    "services": "Individual counselling and family mediation, online.",
    "contact_email": "",
    "contact_phone": "",
}


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.create_superuser("operator@example.com", PASSWORD)


def _apply(applicant: User) -> Client:
    client = Client()
    client.force_login(applicant)
    response = client.post(reverse("accounts:therapist_apply"), APPLICATION)
    assert response.status_code == 302, response.content[:400]
    return client


def test_for_professionals_page_explains_the_path_and_links_legal_pages(db: None) -> None:
    page = Client().get(reverse("accounts:for_professionals")).content.decode()
    assert "The operator checks and approves" in page and "two-factor" in page
    assert reverse("account_signup") + "?next=" + reverse("accounts:therapist_apply") in page
    assert reverse("core:terms") in page and reverse("core:privacy") in page


def test_application_waits_for_approval_and_tells_the_operators(operator: User) -> None:
    applicant = make_user("sam@example.com", "Sam")
    mail.outbox.clear()
    with override_settings(ADMINS=[("Ops", "ops@example.com"), ("Dup", "operator@example.com")]):
        client = _apply(applicant)
    applicant.refresh_from_db()
    profile = TherapistProfile.objects.get(user=applicant)
    assert not applicant.is_therapist and profile.applied_at is not None and profile.approved_at is None
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["operator@example.com", "ops@example.com"]  # staff and ADMINS, each once
    assert "Sam Okafor" in mail.outbox[0].subject
    assert f"/admin/accounts/therapistprofile/{profile.pk}/change/" in mail.outbox[0].body
    # Not listed, cannot be connected with, sees the status page.
    assert applicant not in therapist_directory()
    with pytest.raises(ActionError):
        actions.get_therapist(applicant.pk)
    status = client.get(reverse("accounts:therapist_apply")).content.decode()
    assert "waiting for the operator" in status and "0000-TEST" in status
    again = client.post(reverse("accounts:therapist_apply"), APPLICATION)
    assert again.status_code == 200 and TherapistProfile.objects.count() == 1


def test_bad_application_changes_nothing(db: None) -> None:
    applicant = make_user("kim@example.com", "Kim")
    client = Client()
    client.force_login(applicant)
    bad = client.post(
        reverse("accounts:therapist_apply"), {**APPLICATION, "registration": "", "contact_email": "not-mail"}
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "This field is required" in text and "valid email" in text.lower()
    assert not TherapistProfile.objects.exists() and not mail.outbox
    with pytest.raises(ActionError, match="what you offer"):
        actions.apply_as_therapist(applicant, **{**APPLICATION, "services": "  "})
    assert not TherapistProfile.objects.exists()


def test_admin_approval_makes_a_therapist_who_is_told_and_led_to_two_factor(operator: User) -> None:
    applicant = make_user("sam@example.com", "Sam")
    _apply(applicant)
    profile = TherapistProfile.objects.get(user=applicant)
    admin = Client()
    admin.force_login(operator)
    queue = admin.get(reverse("admin:accounts_therapistprofile_changelist") + "?approval=waiting").content.decode()
    assert "Sam Okafor" in queue
    mail.outbox.clear()
    response = admin.post(
        reverse("admin:accounts_therapistprofile_changelist"),
        {"action": "approve", "_selected_action": [profile.pk]},
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    profile.refresh_from_db()
    assert applicant.is_therapist and profile.approved_at is not None
    (approved,) = mail.outbox
    assert approved.to == ["sam@example.com"] and "approved" in approved.subject
    assert reverse("mfa_activate_totp") in approved.body
    assert applicant in therapist_directory()
    # Approved but no two-factor yet: still no client, and logging in leads to the set-up.
    client_user = make_user("client.of.sam@example.com", "Client")
    connect(applicant, client_user, ("measures",))
    assert not policy.therapist_may_see_clients(applicant)
    login = Client().post(reverse("account_login"), {"login": "sam@example.com", "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == reverse("mfa_activate_totp")
    TOTP.activate(applicant, generate_totp_secret())
    assert policy.therapist_may_see_clients(applicant)


def test_an_unapproved_therapist_role_sees_no_client(db: None) -> None:
    """Even if the role is set by hand, a profile that was never approved sees nothing."""
    someone = make_user("role.only@example.com", "Role only")
    someone.role = User.Role.THERAPIST
    someone.save()
    TherapistProfile.objects.create(user=someone, display_name="Not approved")
    TOTP.activate(someone, generate_totp_secret())
    client_user = make_user("their.client@example.com", "Client")
    connect(someone, client_user, ("measures",))
    assert not policy.therapist_may_see_clients(someone)
    assert not policy.decide(someone, client_user, "measures").allowed
    assert someone not in therapist_directory()


def test_pending_applicant_logging_in_sees_the_status(db: None) -> None:
    applicant = make_user("sam@example.com", "Sam")
    _apply(applicant)
    login = Client().post(reverse("account_login"), {"login": "sam@example.com", "password": PASSWORD})
    assert login["Location"] == reverse("accounts:therapist_apply")


def test_privacy_and_terms_have_defaults_and_are_linked_from_footer_and_signup(db: None) -> None:
    home = Client().get(reverse("core:home")).content.decode()
    assert f'href="{reverse("core:privacy")}"' in home and f'href="{reverse("core:terms")}"' in home
    privacy = Client().get(reverse("core:privacy")).content.decode()
    assert "<h1>Privacy policy</h1>" in privacy and "Download your data" in privacy
    terms = Client().get(reverse("core:terms")).content.decode()
    assert "<h1>Terms of use</h1>" in terms and "not an\nemergency service" in terms
    signup = Client().get(reverse("account_signup")).content.decode()
    assert reverse("core:terms") in signup and reverse("core:privacy") in signup and "I agree to the terms" in signup


def test_signup_without_agreeing_creates_no_account(db: None) -> None:
    response = Client().post(
        reverse("account_signup"), {"email": "no.agree@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200 and "agree to the terms" in response.content.decode()
    assert not User.objects.filter(email="no.agree@example.com").exists()


def test_a_deployment_sets_its_own_pages_markdown_or_html(db: None, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.md"
    policy_file.write_text("# Our policy\n\nWe are {operator}. <script>alert(1)</script>\n")
    terms_file = tmp_path / "terms.html"
    terms_file.write_text('<h1>Our terms</h1><p onclick="x()">Fair use.</p><script>alert(2)</script>')
    with override_settings(
        PRIVACY_POLICY_FILE=str(policy_file), TERMS_FILE=str(terms_file), OPERATOR_NAME="Example Practice"
    ):
        privacy = Client().get(reverse("core:privacy")).content.decode()
        terms = Client().get(reverse("core:terms")).content.decode()
    assert "<h1>Our policy</h1>" in privacy and "We are Example Practice." in privacy
    assert "<script>alert(1)" not in privacy
    assert "<h1>Our terms</h1>" in terms and "Fair use." in terms
    assert "alert(2)" not in terms and "onclick" not in terms


def test_a_missing_legal_file_stops_start_up(db: None) -> None:
    with override_settings(TERMS_FILE="/nonexistent/terms.md"), pytest.raises(SystemCheckError, match="E002"):
        call_command("check")
