"""The OpenAPI document describes what the API really sends: no two shapes share a name."""

from __future__ import annotations

import pytest
from ninja import Router, Schema

from individuate.config.api import IndividuateAPI, SchemaNameClash, api
from individuate.healing.models import SmallStep, StepSuggestion


def test_two_different_schemas_with_one_name_refuse_to_build() -> None:
    class Thing(Schema):
        size: int

    first = Router()

    @first.get("/a", response=Thing)
    def a(request: object) -> dict[str, int]:
        return {"size": 1}

    def second_router() -> Router:
        class Thing(Schema):  # the same name, a different shape
            colour: str

        router = Router()

        @router.get("/b", response=Thing)
        def b(request: object) -> dict[str, str]:
            return {"colour": "red"}

        return router

    clashing = IndividuateAPI(urls_namespace="clash-test")
    clashing.add_router("/one", first)
    clashing.add_router("/two", second_router())
    with pytest.raises(SchemaNameClash, match="Thing"):
        clashing.get_openapi_schema(path_prefix="/")


def test_the_same_schema_used_twice_builds() -> None:
    class Thing(Schema):
        size: int

    router = Router()

    @router.get("/a", response=Thing)
    def a(request: object) -> dict[str, int]:
        return {"size": 1}

    @router.get("/b", response=list[Thing])
    def b(request: object) -> list[dict[str, int]]:
        return []

    fine = IndividuateAPI(urls_namespace="same-twice-test")
    fine.add_router("/", router)
    assert "Thing" in fine.get_openapi_schema(path_prefix="/")["components"]["schemas"]


def test_the_real_document_names_each_shape_apart() -> None:
    components = api.get_openapi_schema(path_prefix="/api/")["components"]["schemas"]
    # A small step and a suggestion both have a status, with different values.
    assert components["SmallStepOut"]["properties"]["status"]["enum"] == SmallStep.Status.values
    assert components["SuggestionOut"]["properties"]["status"]["enum"] == StepSuggestion.Status.values
    # An article comment and a parenting-plan comment are different things.
    assert "body" in components["CommentOut"]["properties"]
    assert "section" in components["PlanCommentOut"]["properties"]
    assert "kind" in components["ContactIn"]["properties"]
    # a query string can be too long for the server: said, not a surprise
    assert "414" in api.get_openapi_schema(path_prefix="/api/")["paths"]["/api/appointments"]["get"]["responses"]


def test_a_body_too_large_for_the_api_is_refused_in_the_apis_shape(client: object) -> None:
    from django.conf import settings
    from django.test import Client

    big = '{"title": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = Client().post("/api/my/articles", data=big, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
