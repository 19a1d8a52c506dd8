from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from individuate.core import privacy
from individuate.core.http import AuthedRequest
from individuate.core.schemas import Message, Text

from .models import TIMEZONE_CHOICES, User

router = Router(tags=["me"])
TIMEZONES = {name for name, _ in TIMEZONE_CHOICES}


class ProfileOut(Schema):
    id: int
    email: str
    display_name: str
    role: str
    perspective: str
    time_zone: str
    mfa_enabled: bool


class ProfileIn(Schema):
    display_name: Text | None = Field(default=None, max_length=80)
    perspective: Literal["", "adult_child", "parent", "both"] | None = None
    time_zone: Text | None = Field(default=None, max_length=64)


def _profile(user: User) -> ProfileOut:
    from allauth.mfa.utils import is_mfa_enabled

    return ProfileOut(
        id=user.pk,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        perspective=user.perspective,
        time_zone=user.time_zone,
        mfa_enabled=is_mfa_enabled(user),
    )


@router.get("/me", response=ProfileOut, summary="My profile")
def me(request: AuthedRequest) -> ProfileOut:
    return _profile(request.user)


@router.patch("/me", response={200: ProfileOut, 422: Message}, summary="Update my profile")
def update_me(request: AuthedRequest, payload: ProfileIn) -> Status[object]:
    user = request.user
    if payload.time_zone is not None and payload.time_zone not in TIMEZONES:
        return Status(422, {"detail": f"Unknown time zone {payload.time_zone!r}."})
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    for key, value in fields.items():
        setattr(user, key, value.strip() if key == "display_name" else value)
    if fields:
        user.save(update_fields=list(fields))
    return Status(200, _profile(user))


@router.get("/me/export", summary="Download everything I own (zip of JSON and CSV)")
def export(request: AuthedRequest) -> HttpResponse:
    response = HttpResponse(privacy.export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="individuate-export.zip"'
    return response
