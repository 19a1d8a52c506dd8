"""The accounts app's records as the export and the client pages see them."""

from __future__ import annotations

from typing import Any

from individuate.core.records import Section

from .models import User


def export_profile(user: User) -> list[dict[str, Any]]:
    row: dict[str, Any] = {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "perspective": user.perspective,
        "time_zone": user.time_zone,
        "date_joined": user.date_joined.isoformat(),
    }
    if hasattr(user, "therapist_profile"):
        profile = user.therapist_profile
        row |= {
            "therapist_display_name": profile.display_name,
            "credentials": profile.credentials,
            "contact_email": profile.contact_email,
            "contact_phone": profile.contact_phone,
        }
    return [row]


def export_api_tokens(user: User) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "hint": t.hint,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in user.api_tokens.all()
    ]


def profile_section(owner: User) -> Section:
    return Section(
        title="Profile",
        columns=[("name", "Name"), ("perspective", "Comes here as"), ("time_zone", "Time zone")],
        rows=[
            {
                "name": owner.name,
                "perspective": owner.get_perspective_display() if owner.perspective else "—",
                "time_zone": owner.time_zone,
            }
        ],
    )
