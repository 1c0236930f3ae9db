"""The matrix covers every route, and its judge says no to the answers it must refuse."""

from __future__ import annotations

import pytest
from django.http import HttpResponse

from fangkong.core.models import Placed
from fangkong.core.rights import Right, Role
from tests.authz.conftest import Matrix
from tests.authz.matrix import ACTUAL, run_route, verdict
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


# The matrix against the real site with one bug put in on purpose: each must be reported.

def _route(name: str) -> Route:
    return next(r for r in page_routes() + api_routes() if str(r) == name)


@pytest.mark.django_db
def test_it_catches_a_fetch_that_skips_the_scope(matrix: Matrix,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from fangkong.registry import queries
    from fangkong.registry.models import Person

    assert not run_route(_route("person"), matrix)
    monkeypatch.setattr(queries, "get_person",
                        lambda *, actor, person_id: Person.objects.get(pk=person_id))
    wrong = run_route(_route("person"), matrix)
    assert wrong and all("other" in line and "→ 200" in line for line in wrong)
    assert any(line.startswith("district_officer") for line in wrong)


@pytest.mark.django_db
def test_it_catches_a_number_shown_in_full(matrix: Matrix,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from fangkong.registry import schemas

    route = _route("GET /api/v1/registry/persons/<person_id>")
    assert not run_route(route, matrix)
    monkeypatch.setattr(schemas, "mask_phone", lambda value: value)
    wrong = run_route(route, matrix)
    assert any(line.startswith("viewer") and "masked numbers" in line for line in wrong)
    assert not any(line.startswith("street_worker") for line in wrong)  # holds pii.view


@pytest.mark.django_db
def test_it_catches_a_right_declared_but_not_enforced(matrix: Matrix) -> None:
    """The person page enforces registry.view; were it declared pii.view, the viewer's 200
    would contradict the declaration."""
    declared = _route("person")
    stricter = Route(kind="page", name="person-as-if-pii", template=declared.template,
                     method="GET", right=Right.PII_VIEW)
    wrong = run_route(stricter, matrix)
    assert any(line.startswith("viewer") and "expected 403" in line for line in wrong)
