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
from ninja.openapi.schema import OpenAPISchema
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


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"title": "Detail", "type": "string"}},
    "required": ["detail"],
}


class SchemaNameClash(Exception):
    """Two different shapes were given one component name in the OpenAPI document."""


class StrictOpenAPISchema(OpenAPISchema):
    """Ninja keeps the last definition when two schemas share a name (two ``Status``
    enums, two ``CommentOut`` models), so the document describes one shape for both
    and every client validating against it is misled. Refuse instead."""

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        clashes = sorted(
            name for name, value in definitions.items() if name in self.schemas and self.schemas[name] != value
        )
        if clashes:
            raise SchemaNameClash(
                "Different schemas share a name in the API document: " + ", ".join(clashes) + ". "
                "Give each its own name (a distinct class name, or Literal[...] for an enum)."
            )
        super().add_schema_definitions(definitions)


class IndividuateAPI(NinjaAPI):
    """Every error is ``{"detail": message}``, and the schema says so for every operation:
    422 wherever there is input to get wrong (400 for a body that is not JSON), 401
    wherever a login is needed."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        # The document is the same until the code changes: build it once per process.
        key = path_prefix if path_prefix is not None else self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schemas", {})
        if key not in cache:
            cache[key] = self._build_schema(key)
        return cache[key]

    def _build_schema(self, path_prefix: str) -> Any:
        schema = StrictOpenAPISchema(self, path_prefix)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if operation.get("parameters") or operation.get("requestBody") or "{" in path:
                    responses.setdefault("422", {"description": "The input is not valid", **error})
                if operation.get("parameters"):
                    # gunicorn refuses a request line over 4,094 bytes before the app sees it
                    responses.setdefault("414", {"description": "The address is too long (refused by the server)"})
                if operation.get("requestBody"):
                    responses.setdefault("400", {"description": "The body is not JSON", **error})
                if operation.get("security"):
                    responses.setdefault("401", {"description": "Not logged in, or the token is not valid", **error})
        return schema


api = IndividuateAPI(
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


def _field(loc: Any) -> str:
    parts = [str(p) for p in (loc or []) if p not in ("body", "payload")]
    return ".".join(parts) or "input"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The same error shape as every other error: one readable message."""
    problems = [f"{_field(e.get('loc'))}: {e.get('msg', 'is not valid')}" for e in exc.errors[:5]]
    return api.create_response(request, {"detail": "; ".join(problems) or "The input is not valid."}, status=422)


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
    from individuate.mediation.api import router as mediation_router
    from individuate.practice.api import router as practice_router

    api.add_router("/", accounts_router)
    api.add_router("/", boundaries_router)
    api.add_router("/", measures_router)
    api.add_router("/", checkins_router)
    api.add_router("/", healing_router)
    api.add_router("/", practice_router)
    api.add_router("/", articles_router)
    api.add_router("/", mediation_router)


_register_routers()
