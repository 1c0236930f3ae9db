"""The API's own OpenAPI document as schemathesis reads it, and who calls each operation.

Each operation is called by a role holding the right it declares (a city role where one holds
it, so scope does not hide the world; else a role bound to district 1), and half the cases
name the objects of district 1's world in the path and in ``…_id`` body fields, so that the
handlers behind the 404 run as well.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.core.result import Err
from schemathesis.schemas import APIOperation

from fangkong.core.rights import ROLE_RIGHTS, Role
from tests.authz.conftest import CITY_ROLES
from tests.authz.matrix import ACTUAL, DOMAIN_403
from tests.authz.routes import PARAM_MODELS, Route, api_routes
from tests.authz.world import World

_DJANGO_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Operation:
    key: str  # "METHOD /api/v1/…{param}"
    api: APIOperation[Any, Any, Any, Any]
    route: Route
    role: Role


@functools.cache
def schema() -> schemathesis.BaseSchema:
    from fangkong.api import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _routes() -> dict[str, Route]:
    """Matrix routes by "METHOD /openapi/path"; ninja's ``<int:x>`` is OpenAPI's ``{x}``."""
    return {f"{r.method} /{_DJANGO_PARAM.sub(_braced, r.template)}": r for r in api_routes()}


def _braced(match: re.Match[str]) -> str:
    return "{" + match.group(1) + "}"


def caller(route: Route) -> Role:
    """A role let in: a city role first (it sees both districts), one the domain does not
    refuse (a task is acted on by its unit, not the city)."""
    refused = DOMAIN_403.get(str(route), (frozenset(), ""))[0]
    rule = ACTUAL.get(str(route))
    for role in [*sorted(CITY_ROLES), *Role]:
        held = ROLE_RIGHTS[role]
        allowed = rule(held) if rule else route.right is None or route.right in held
        if allowed and role not in refused:
            return role
    raise AssertionError(f"no role may call {route}")


@functools.cache
def operations() -> dict[str, Operation]:
    routes = _routes()
    found: dict[str, Operation] = {}
    for result in schema().get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the API's own document must be valid OpenAPI
        api = result.ok()
        key = f"{api.method.upper()} {api.path}"
        route = routes[key]
        found[key] = Operation(key=key, api=api, route=route, role=caller(route))
    return found


def with_world_ids(case: Case, route: Route, world: World) -> None:
    """Name district 1's objects: path parameters, and integer ``…_id`` fields of a JSON body."""
    for name in list(case.path_parameters or {}):
        if name in PARAM_MODELS:
            case.path_parameters[name] = route.value(name, world)  # type: ignore[index]
    if isinstance(case.body, dict):
        for field, value in list(case.body.items()):
            if isinstance(value, int) and not isinstance(value, bool):
                real = route.id_for(field, world)
                if real is not None:
                    case.body[field] = real
