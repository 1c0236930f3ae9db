"""Every route of the site, read off the URL configuration: pages and API operations alike.

A route is one (path, method) pair with the right it declares. Path parameters are filled
from :class:`~tests.authz.world.World` through :data:`PARAM_MODELS`; a parameter that names
something with no per-district object is listed in :data:`UNFILLED` or :data:`OWN_ONLY` with
its reason, and ``test_every_route_is_exercised_or_listed`` fails on anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import URLPattern, URLResolver

from fangkong.coldchain import models as coldchain
from fangkong.command import models as command
from fangkong.core.models import AdminUnit, Approval
from fangkong.core.rights import Right
from fangkong.healthcode import models as healthcode
from fangkong.hotline.models import Ticket
from fangkong.quarantine import models as quarantine
from fangkong.registry.models import Building, Household, Person, Venue
from fangkong.risk import models as risk
from fangkong.simulation.models import Scenario
from fangkong.supplies.models import SupplyAlert
from fangkong.testing import models as screening
from fangkong.tracing import models as tracing
from fangkong.warning import models as warning
from tests.authz.world import World

API_PREFIX = "api/v1/"
# PUBLIC pages of tests/test_architecture.py: anyone may open them (signed links, login).
from tests.test_architecture import PUBLIC  # noqa: E402

Model = type[models.Model]
# A parameter's model; a dict picks it by the route's first path segment after the prefix.
PARAM_MODELS: dict[str, Model | dict[str, Model]] = {
    "unit_id": AdminUnit, "grid_id": AdminUnit, "building_id": Building,
    "household_id": Household, "person_id": Person, "venue_id": Venue,
    "approval_id": Approval, "case_id": tracing.Case, "entry_id": tracing.TrajectoryEntry,
    "contact_id": tracing.Contact, "point_id": tracing.RiskPoint,
    "report_id": {"tracing": tracing.ContactReport, "command": command.SituationReport},
    "campaign_id": screening.Campaign, "site_id": screening.Site,
    "booking_id": screening.Booking, "tube_id": screening.Tube, "box_id": screening.Box,
    "exemption_id": screening.Exemption, "lab_id": screening.Lab,
    "area_id": risk.RiskArea, "proposal_id": risk.LiftProposal,
    "request_id": risk.SupplyRequest, "pass_id": risk.ExitPass, "gate_id": risk.Gate,
    "facility_id": quarantine.Facility, "room_id": quarantine.Room,
    "batch_id": {"quarantine": quarantine.TransportBatch, "coldchain": coldchain.Batch},
    "order_id": quarantine.QuarantineOrder, "test_id": quarantine.ScheduledTest,
    "alert_id": {"quarantine": quarantine.QuarantineAlert, "healthcode": healthcode.AbuseAlert,
                 "supplies": SupplyAlert},
    "appeal_id": healthcode.Appeal, "override_id": healthcode.Override,
    "ticket_id": Ticket, "follow_up_id": warning.FollowUp, "anomaly_id": warning.Anomaly,
    "arrival_id": warning.ArrivalRecord, "origin_id": warning.RiskOrigin,
    "sample_id": coldchain.PositiveSample, "trace_id": coldchain.Trace,
    "scenario_id": Scenario, "directive_id": command.Directive, "task_id": command.Task,
    "evidence_id": command.Evidence,
}
# Words, not ids: the one value each route takes (an unknown word answers 404 by design).
WORDS: dict[str, str] = {"act": "close", "what": "batches", "kind": "persons",
                         "level": "households", "token": "not-a-signed-token"}
ACT_OF_ROUTE = {"tracing_risk_point_act": "publish", "screening_campaign_status": "close"}
# Parameters whose object is the city's, not a district's: only "own" can be checked.
OWN_ONLY = {"origin_id": "risk origins are places outside the city, one list for the city"}
# Routes whose parameters cannot be filled generically (none today; keep the reason).
UNFILLED: dict[str, str] = {}
# django-ninja's own views under the API prefix: they serve the schema, never data.
NINJA_VIEWS = {"api-root": "ninja's index of the API", "openapi-json": "the OpenAPI schema",
               "openapi-view": "the schema's documentation page"}


# Rows a route reads through its parameter's object (a person's health code).
ALSO_BUILT: list[Model] = [healthcode.PersonCode]


def every_model() -> list[Model]:
    return [m for value in PARAM_MODELS.values()
            for m in (value.values() if isinstance(value, dict) else [value])] + ALSO_BUILT


# (template, method) → the ninja operation, filled by api_routes() (its models give the body).
OPERATIONS: dict[tuple[str, str], Any] = {}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Route:
    kind: str  # "page" | "api"
    name: str  # page: the URL name; API: "METHOD path"
    template: str  # Django route with <conv:param>, from the site's root
    method: str
    right: Right | None

    @property
    def params(self) -> list[str]:
        return [m.group(2) for m in _PARAM.finditer(self.template)]

    @property
    def public(self) -> bool:
        return self.kind == "page" and self.name in PUBLIC

    @property
    def own_only(self) -> bool:
        return any(p in OWN_ONLY for p in self.params)

    def url(self, world: World) -> str:
        return "/" + _PARAM.sub(lambda m: str(self.value(m.group(2), world)), self.template)

    def value(self, param: str, world: World) -> Any:
        if param == "act":
            return ACT_OF_ROUTE.get(self.name, WORDS["act"])
        if param in WORDS:
            return WORDS[param]
        model = PARAM_MODELS[param]
        if isinstance(model, dict):
            path = self.template.removeprefix(API_PREFIX)
            model = model[path.split("/")[0]]
        return world[model].pk

    def id_for(self, field: str, world: World) -> int | None:
        """The world's id for a body or query field naming an object (``site``, ``person_id``)."""
        key = field if field.endswith("_id") else f"{field}_id"
        return self.value(key, world) if key in PARAM_MODELS else None

    def __str__(self) -> str:
        return self.name if self.kind == "page" else f"{self.method} /{self.template}"


def _flatten(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _flatten(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _closure(func: Callable[..., Any], name: str) -> Any:
    """A free variable of ``func`` or of a function it wraps (``functools.wraps`` chain)."""
    while func is not None and hasattr(func, "__code__"):
        cells = dict(zip(func.__code__.co_freevars, func.__closure__ or (), strict=True))
        if name in cells:
            return cells[name].cell_contents
        func = getattr(func, "__wrapped__", None)  # type: ignore[assignment]
    return None


def page_routes() -> list[Route]:
    from fangkong.web.urls import urlpatterns

    found: list[Route] = []
    for template, pattern in _flatten(urlpatterns):
        methods = _closure(pattern.callback, "request_method_list") or ["GET"]
        method = "GET" if "GET" in methods else methods[0]
        found.append(Route(kind="page", name=str(pattern.name), template=template,
                           method=method, right=getattr(pattern.callback, "required_right", None)))
    return found


def api_routes() -> list[Route]:
    from fangkong.urls import urlpatterns

    found: list[Route] = []
    for template, pattern in _flatten(urlpatterns):
        if not template.startswith(API_PREFIX) or pattern.name in NINJA_VIEWS:
            continue
        path_view = _closure(pattern.callback, "self")
        assert path_view is not None, f"cannot read the operations of {template}"
        for operation in path_view.operations:
            right = getattr(operation.view_func, "required_right", None)
            OPERATIONS.update({(template, method): operation for method in operation.methods})
            found.extend(Route(kind="api", name=f"{method} /{template}", template=template,
                               method=method, right=right) for method in operation.methods)
    # ninja adds one URL pattern per operation of a path, each serving all of them
    return sorted(set(found), key=str)
