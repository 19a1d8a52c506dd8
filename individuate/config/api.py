"""The JSON API: /api/, OpenAPI schema at /api/openapi.json.

Authenticated by the browser session (with CSRF) or by a personal API token
sent as ``Authorization: Bearer ind_…``. Errors are ``{"detail": message}``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from individuate.accounts.models import ApiToken
from individuate.boundaries.policy import AccessDenied
from individuate.core.errors import ActionError


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.find(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


api = NinjaAPI(
    title="Individuate API",
    version="1",
    description="The same operations as the pages. Every read of another person's "
    "records is checked by the boundaries policy and written to their access log.",
    auth=[ApiTokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ActionError)
def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(AccessDenied)
def _access_denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    decision = exc.decision
    return api.create_response(request, {"detail": decision.message}, status=decision.status)


def _register_routers() -> None:
    from individuate.accounts.api import router as accounts_router
    from individuate.boundaries.api import router as boundaries_router
    from individuate.checkins.api import router as checkins_router
    from individuate.measures.api import router as measures_router
    from individuate.mediation.api import router as mediation_router
    from individuate.practice.api import router as practice_router

    api.add_router("/", accounts_router)
    api.add_router("/", boundaries_router)
    api.add_router("/", measures_router)
    api.add_router("/", checkins_router)
    api.add_router("/", practice_router)
    api.add_router("/", mediation_router)


_register_routers()
