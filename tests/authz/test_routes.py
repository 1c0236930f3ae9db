"""The matrix covers every route, and its judge says no to the answers it must refuse."""

from __future__ import annotations

import pytest
from django.http import HttpResponse

from fangkong.core.models import Placed
from fangkong.core.rights import Right, Role
from tests.authz.conftest import Matrix
from tests.authz.matrix import ACTUAL, verdict
from tests.authz.routes import (
    NINJA_VIEWS,
    OWN_ONLY,
    PARAM_MODELS,
    UNFILLED,
    WORDS,
    Route,
    api_routes,
    every_model,
    page_routes,
)


def test_every_route_is_exercised_or_listed() -> None:
    """A new route with a parameter nobody can fill, or without a right, fails here."""
    routes = page_routes() + api_routes()
    assert len(routes) > 400
    unknown = [f"{r}: {p}" for r in routes if r.name not in UNFILLED for p in r.params
               if p not in PARAM_MODELS and p not in WORDS and p not in OWN_ONLY]
    assert not unknown, f"add the parameter to PARAM_MODELS or the route to UNFILLED: {unknown}"
    unguarded = [str(r) for r in routes
                 if not r.public and r.right is None and str(r) not in ACTUAL]
    assert not unguarded, f"routes without a declared right: {unguarded}"


def test_the_api_is_read_whole() -> None:
    """Nested routers included: every module's operations are there, ninja's views listed."""
    prefixes = {r.template.split("/")[2] for r in api_routes()}
    assert prefixes >= {"core", "registry", "tracing", "screening", "risk", "quarantine",
                        "healthcode", "hotline", "warning", "supplies", "coldchain",
                        "vaccination", "simulation", "command"}
    assert set(NINJA_VIEWS) == {"api-root", "openapi-json", "openapi-view"}


@pytest.mark.django_db
def test_each_district_has_its_own_objects(matrix: Matrix) -> None:
    own, other = matrix.own, matrix.other
    for model in every_model():
        a, b = own[model], other[model]
        assert a.pk != b.pk, model
        if isinstance(a, Placed):
            assert a.district_id == own.district.unit.pk, model
            assert b.district_id == other.district.unit.pk, model


def _answer(status: int, location: str = "") -> HttpResponse:
    response = HttpResponse(status=status)
    if location:
        response["Location"] = location
    return response


PAGE = Route(kind="page", name="person", template="persons/<int:person_id>/", method="GET",
             right=Right.REGISTRY_VIEW)
WRITE = Route(kind="page", name="person_correct", template="persons/<int:person_id>/correct",
              method="POST", right=Right.REGISTRY_CORRECT)


def test_the_judge_refuses_what_it_must() -> None:
    assert verdict(PAGE, None, "own", _answer(200), 0)
    assert verdict(PAGE, None, "own", _answer(302, "/login/?next=/persons/1/"), 0) is None
    assert verdict(PAGE, Role.SAMPLER, "own", _answer(200), 0) == "403"
    assert verdict(PAGE, Role.VIEWER, "own", _answer(500), 0)
    assert verdict(PAGE, Role.VIEWER, "own", _answer(404), 0) == "found: not 404"
    assert verdict(PAGE, Role.VIEWER, "other", _answer(200), 0) == "other district: 404"
    assert verdict(PAGE, Role.COMMANDER, "other", _answer(200), 0) is None  # the city's
    assert verdict(WRITE, Role.STREET_WORKER, "other", _answer(302), 0) is None
    assert verdict(WRITE, Role.STREET_WORKER, "other", _answer(302), 1)  # it wrote
