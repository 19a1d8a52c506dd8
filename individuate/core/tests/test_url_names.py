"""Every route of ours has a name inside its app's namespace ("checkins:journal"), so a
name can only mean one page. The framework's routes (allauth, the admin, the ninja API)
keep their own naming."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

# Top-level prefixes that belong to other packages (when what is mounted there is not ours).
FOREIGN = ("accounts/", "admin/", "api/")


def _ours(resolver: URLResolver) -> bool:
    return getattr(resolver.urlconf_module, "__name__", "").startswith("individuate.")


def routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, str]]:
    """(route, namespace, name) for every pattern of ours; '' where there is none."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if not prefix and route.startswith(FOREIGN) and not _ours(p):
                continue
            inner = ":".join(part for part in (namespace, p.namespace or "") if part)
            yield from routes(p.url_patterns, route, inner)
        else:
            assert isinstance(p, URLPattern)
            yield route, namespace, p.name or ""


def offenders(patterns: list[Any]) -> list[str]:
    return [f"/{route} (name {name!r}, namespace {ns!r})" for route, ns, name in routes(patterns) if not (ns and name)]


def test_every_route_of_ours_is_named_in_a_namespace() -> None:
    ours = list(routes(get_resolver().url_patterns))
    assert len(ours) > 100  # the walk sees the apps' pages, not just the framework's
    assert not offenders(get_resolver().url_patterns), "add app_name and name= to these routes"


def test_each_app_namespace_is_the_app_itself() -> None:
    namespaces = {ns for _, ns, _ in routes(get_resolver().url_patterns)}
    assert namespaces == {
        "core",
        "accounts",
        "boundaries",
        "portal",
        "measures",
        "checkins",
        "healing",
        "practice",
        "articles",
        "mediation",
    }
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and _ours(p):
            assert p.urlconf_module.__name__ == f"individuate.{p.namespace}.urls"


def test_names_are_unique_within_a_namespace_and_reverse_to_their_route() -> None:
    seen: dict[str, str] = {}
    for route, ns, name in routes(get_resolver().url_patterns):
        full = f"{ns}:{name}"
        assert full not in seen, f"{full} names both /{seen[full]} and /{route}"
        seen[full] = route
        if "<" not in route:
            assert reverse(full) == "/" + route


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def test_the_walk_finds_flat_and_unnamed_routes() -> None:
    """The check above is not always true: flat names, unnamed routes and includes
    without app_name are reported, framework prefixes are not."""
    inner = [path("named/", _view, name="named"), path("unnamed/", _view)]
    patterns = [
        path("flat/", _view, name="flat"),
        path("spaced/", include((inner, "spaced"))),
        path("bare/", include((inner, None))),
        path("admin/", include(([path("x/", _view)], "admin"))),
    ]
    assert offenders(patterns) == [
        "/flat/ (name 'flat', namespace '')",
        "/spaced/unnamed/ (name '', namespace 'spaced')",
        "/bare/named/ (name 'named', namespace '')",
        "/bare/unnamed/ (name '', namespace '')",
    ]
