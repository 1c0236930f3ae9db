"""The JSON API under /api/v1/: one NinjaAPI, one router per module, one error mapping.

Every operation is wrapped by :func:`requires`, which resolves the actor and checks one right;
``tests/test_architecture.py`` fails if an operation lacks it. Router modules do not use
``from __future__ import annotations``: ninja resolves parameter types through the wrapped
function's signature at import time, and string annotations would be looked up in this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import request_actor
from fangkong.core.rights import Right

F = TypeVar("F", bound=Callable[..., Any])


def requires(right: Right) -> Callable[[F], F]:
    """Declare and enforce the right an operation needs; puts the actor on ``request.actor``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            actor = request_actor(request)
            actor.require(right)
            return func(request, *args, **kwargs)

        wrapper.required_right = right  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def build_api() -> NinjaAPI:
    from fangkong.coldchain.api import router as coldchain_router
    from fangkong.command.api import router as command_router
    from fangkong.core.api import router as core_router
    from fangkong.healthcode.api import router as healthcode_router
    from fangkong.hotline.api import router as hotline_router
    from fangkong.quarantine.api import router as quarantine_router
    from fangkong.registry.api import router as registry_router
    from fangkong.risk.api import router as risk_router
    from fangkong.simulation.api import router as simulation_router
    from fangkong.supplies.api import router as supplies_router
    from fangkong.testing.api import router as screening_router
    from fangkong.tracing.api import router as tracing_router
    from fangkong.vaccination.api import router as vaccination_router
    from fangkong.warning.api import router as warning_router

    api = NinjaAPI(
        title="Fangkong API",
        version="1",
        description="Fangkong (防控) command platform. Session authentication; every list is "
        "scoped to the caller's node of the admin tree.",
        auth=django_auth,
        urls_namespace="api",
    )
    api.add_router("/core/", core_router)
    api.add_router("/registry/", registry_router)
    api.add_router("/tracing/", tracing_router)
    api.add_router("/screening/", screening_router)
    api.add_router("/risk/", risk_router)
    api.add_router("/quarantine/", quarantine_router)
    api.add_router("/healthcode/", healthcode_router)
    api.add_router("/hotline/", hotline_router)
    api.add_router("/warning/", warning_router)
    api.add_router("/supplies/", supplies_router)
    api.add_router("/coldchain/", coldchain_router)
    api.add_router("/vaccination/", vaccination_router)
    api.add_router("/simulation/", simulation_router)
    api.add_router("/command/", command_router)
    _map_errors(api)
    return api


class Problem(Schema):
    """What every refusal answers (403, 404, 409, 422, from :func:`_map_errors`): the reason in
    the caller's language and the field it names. Operations that declare a 4xx name it so the
    OpenAPI document shows the shape a client will read."""

    detail: str | list[dict[str, Any]]  # a sentence; ninja's own 422 lists the invalid fields
    field: str | None = None


def _map_errors(api: NinjaAPI) -> None:
    def answer(status: int) -> Callable[[HttpRequest, Any], HttpResponse]:
        def handler(request: HttpRequest, exc: Any) -> HttpResponse:
            return api.create_response(
                request, {"detail": exc.message, "field": exc.field}, status=status
            )

        return handler

    api.add_exception_handler(NotFound, answer(404))
    api.add_exception_handler(PermissionDenied, answer(403))
    api.add_exception_handler(Conflict, answer(409))
    api.add_exception_handler(DomainError, answer(422))

    def out_of_range(request: HttpRequest, exc: Any) -> HttpResponse:
        """A number beyond 64 bits (SQLite: OverflowError) or a value the column cannot hold
        (PostgreSQL: DataError) is the caller's mistake, not the server's: 422, not 500."""
        return api.create_response(
            request, {"detail": gettext("a value is out of the range that can be stored"),
                      "field": None}, status=422)

    api.add_exception_handler(OverflowError, out_of_range)
    api.add_exception_handler(DataError, out_of_range)


api = build_api()
