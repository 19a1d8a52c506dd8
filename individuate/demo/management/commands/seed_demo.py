"""Fictional demo data: a therapist, an adult child and their parent. Idempotent.

Everyone here is invented; the e-mail addresses use the reserved example.com
domain and the phone number the fictional 555-01xx range.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from individuate.accounts.actions import make_therapist
from individuate.accounts.models import User
from individuate.articles.demo import seed_articles
from individuate.boundaries.models import (
    ConsentGrant,
    FamilyLink,
    TherapistConnection,
    TrackedPerson,
    new_token,
)
from individuate.checkins.coupling import recompute_joint, recompute_solo, set_joint_consent
from individuate.demo.checkins import seed_checkins
from individuate.demo.clock import earliest_today
from individuate.demo.measures import seed_measures, seed_practice_sample
from individuate.demo.plan import seed_plan
from individuate.demo.practice import seed_practice
from individuate.measures.actions import assign
from individuate.measures.models import Assignment
from individuate.mediation.demo import seed_mediation

DEMO_PASSWORD = "demo-individuate-2026"
THERAPIST = "therapist@example.com"
CHILD = "robin@example.com"
PARENT = "ellen@example.com"
# A fictional separating couple in mediation with the demo therapist.
MEDIATION_A, MEDIATION_B = "nora@example.com", "tobias@example.com"


def _user(email: str, name: str, **extra: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, display_name=name, is_demo=True, **extra)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


class Command(BaseCommand):
    help = "Create the fictional demo accounts (safe to run again)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        therapist = _user(THERAPIST, "Dr. Ilse Marwood", time_zone="Europe/Amsterdam")
        make_therapist(
            therapist,
            "Dr. Ilse Marwood",
            credentials="Family therapist and mediator (fictional demo practice)",
            phone="+1 555 0142",
        )
        if not Authenticator.objects.filter(user=therapist, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(therapist, generate_totp_secret())
            RecoveryCodes.activate(therapist)

        child = _user(CHILD, "Robin", perspective=User.Perspective.ADULT_CHILD, time_zone="Europe/Berlin")
        parent = _user(PARENT, "Ellen", perspective=User.Perspective.PARENT, time_zone="Europe/Berlin")

        mother, _ = TrackedPerson.objects.get_or_create(owner=child, name="my mother", defaults={"role": "parent"})
        TrackedPerson.objects.get_or_create(owner=child, name="my father", defaults={"role": "parent"})
        robin, _ = TrackedPerson.objects.get_or_create(owner=parent, name="Robin", defaults={"role": "child"})
        if not FamilyLink.objects.filter(inviter_other=mother, status=FamilyLink.Status.ACTIVE).exists():
            FamilyLink.objects.create(
                inviter=child,
                inviter_other=mother,
                invitee_email=PARENT,
                invitee=parent,
                invitee_other=robin,
                status=FamilyLink.Status.ACTIVE,
                token_hash=new_token()[1],
            )

        connection = TherapistConnection.objects.filter(
            therapist=therapist, client=child, status=TherapistConnection.Status.ACTIVE
        ).first()
        if connection is None:
            connection = TherapistConnection.objects.create(
                therapist=therapist,
                client=child,
                initiated_by=TherapistConnection.Initiator.CLIENT,
                status=TherapistConnection.Status.ACTIVE,
                accepted_at=timezone.now(),
            )
            for scope in ("measures", "checkins"):
                ConsentGrant.objects.create(connection=connection, scope=scope)

            ConsentGrant.objects.create(connection=connection, scope="plans")
        seed_measures(child, parent, therapist)
        seed_practice_sample()
        seed_checkins(child, parent)
        seed_plan(child, parent)
        seed_practice(therapist, child)
        link = FamilyLink.objects.get(inviter_other=mother, status=FamilyLink.Status.ACTIVE)
        set_joint_consent(parent, link, opted_in=True, share_with_other=True)
        recompute_solo()
        recompute_joint()
        if not Assignment.objects.filter(client=child, active=True).exists():
            assign(therapist, child.pk, "phq9", Assignment.Recurrence.BIWEEKLY, earliest_today())
        nora = _user(MEDIATION_A, "Nora", perspective=User.Perspective.PARENT, time_zone="Europe/Berlin")
        tobias = _user(MEDIATION_B, "Tobias", perspective=User.Perspective.PARENT, time_zone="Europe/Berlin")
        seed_articles(therapist)
        if seed_mediation(therapist, nora, tobias) is not None:
            # Demo data ends no later than today in every time zone (the signers' today may be later).
            from individuate.mediation.models import Agreement

            Agreement.objects.filter(party__case__mediator=therapist).update(signed_on=earliest_today())

        self.stdout.write(self.style.SUCCESS("Demo accounts (all fictional), password for each: ") + DEMO_PASSWORD)
        self.stdout.write(f"  adult child : {CHILD}")
        self.stdout.write(f"  parent      : {PARENT}")
        self.stdout.write(f"  mediation   : {MEDIATION_A} and {MEDIATION_B} (separating parents, an agreed plan)")
        self.stdout.write(f"  therapist   : {THERAPIST}  (two-factor on: get a code with")
        self.stdout.write(f"                .venv/bin/python manage.py demo_totp {THERAPIST})")
