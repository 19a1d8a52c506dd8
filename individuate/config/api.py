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
from ninja.errors import ValidationError
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


class CachedSchemaAPI(NinjaAPI):
    """The OpenAPI document is the same until the code changes: build it once per process."""

    _schemas: dict[str, Any]

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        key = path_prefix if path_prefix is not None else self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schemas", {})
        if key not in cache:
            cache[key] = super().get_openapi_schema(path_prefix=key)
        return cache[key]


api = CachedSchemaAPI(
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


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 in the one documented shape: ``detail`` is a sentence; ``errors`` names each field."""
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        errors.append(
            {"field": ".".join(loc), "message": str(error.get("msg", "is not valid")).removeprefix("Value error, ")}
        )
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return api.create_response(request, {"detail": detail or "The request is not valid.", "errors": errors}, status=422)


@api.exception_handler(AccessDenied)
def _access_denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    decision = exc.decision
    return api.create_response(request, {"detail": decision.message}, status=decision.status)


def _register_routers() -> None:
    from individuate.accounts.api import router as accounts_router
    from individuate.articles.api import router as articles_router
    from individuate.boundaries.api import router as boundaries_router
    from individuate.checkins.api import router as checkins_router
    from individuate.healing.api import router as healing_router
    from individuate.measures.api import router as measures_router
    from individuate.practice.api import router as practice_router

    api.add_router("/", accounts_router)
    api.add_router("/", boundaries_router)
    api.add_router("/", measures_router)
    api.add_router("/", checkins_router)
    api.add_router("/", healing_router)
    api.add_router("/", practice_router)
    api.add_router("/", articles_router)


_register_routers()
