from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.http import HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from individuate.core import privacy
from individuate.core.http import AuthedRequest
from individuate.core.schemas import Message, Text

from . import actions
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


class ExportTokenIn(Schema):
    password: str = Field(default="", max_length=4096)
    code: str = Field(default="", max_length=20, description="a current authenticator code, where two-factor is on")


class ExportTokenOut(Schema):
    token: str
    expires_in: int


@router.post(
    "/me/export-token",
    response={201: ExportTokenOut, 403: Message, 422: Message, 429: Message},
    summary="Re-authenticate for the export: a short-lived, single-use token",
    description="Send your password (or, with two-factor on, a current code). Five wrong answers in "
    "15 minutes lock re-authentication for 15 minutes.",
)
def export_token(request: AuthedRequest, payload: ExportTokenIn) -> Status[object]:
    if not payload.password and not payload.code:
        return Status(422, {"detail": "Send your password, or a current authenticator code."})
    token = actions.issue_export_token(request.user, password=payload.password, code=payload.code)
    return Status(201, ExportTokenOut(token=token, expires_in=settings.EXPORT_TOKEN_SECONDS))


@router.get(
    "/me/export",
    response={200: None, 403: Message},
    summary="Download everything I own (zip of JSON and CSV)",
    description="Needs `token` from `POST /api/me/export-token` (valid for a few minutes, one download).",
)
def export(request: AuthedRequest, token: str = "") -> HttpResponse:
    actions.redeem_export_token(request.user, token)
    response = HttpResponse(privacy.export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="individuate-export.zip"'
    return response
