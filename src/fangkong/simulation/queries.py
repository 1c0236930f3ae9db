"""Reads of the simulator, always scoped: the scenarios in the actor's subtree, one scenario,
a comparison of 2–4 finished ones, and the quarantine policy versions a scenario may take
its quarantine days from."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.quarantine.models import QuarantinePolicy
from fangkong.simulation.models import Scenario, ScenarioStatus

COMPARE_MIN, COMPARE_MAX = 2, 4


def scenarios_for(actor: Actor, *, status: str | None = None) -> QuerySet[Scenario]:
    """The scenarios in the actor's scope, newest first, without their results."""
    actor.require(Right.SIMULATION_VIEW)
    qs = scope(Scenario.objects.select_related("unit", "created_by").defer("result"), actor)
    if status:
        if status not in ScenarioStatus.values:
            raise DomainError(_("unknown status %(s)s") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def scenario_for(actor: Actor, *, scenario_id: int) -> Scenario:
    actor.require(Right.SIMULATION_VIEW)
    return get_scoped(Scenario.objects.select_related("unit", "created_by"), actor,
                      what="scenario", pk=scenario_id)


def comparison(actor: Actor, *, ids: list[int]) -> list[Scenario]:
    """2–4 distinct finished scenarios of one model in the actor's scope, in the order
    asked; one out of scope is not found (404) like a missing one."""
    actor.require(Right.SIMULATION_VIEW)
    ids = list(dict.fromkeys(ids))
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        raise DomainError(_("choose %(a)s to %(b)s scenarios to compare")
                          % {"a": COMPARE_MIN, "b": COMPARE_MAX}, field="ids")
    chosen = [scenario_for(actor, scenario_id=i) for i in ids]
    unfinished = [s.name for s in chosen if s.status != ScenarioStatus.DONE]
    if unfinished:
        raise DomainError(_("not finished yet: %(names)s") % {"names": ", ".join(unfinished)},
                          field="ids")
    if len({s.model for s in chosen}) > 1:
        raise DomainError(_("scenarios of different models cannot be compared"), field="ids")
    return chosen


@dataclass(frozen=True)
class QuarantineVersion:
    name: str
    effective_from: str
    centralised_days: int
    home_days: int


def quarantine_versions() -> list[QuarantineVersion]:
    """The quarantine policy versions in the database, oldest first, with the close
    contacts' centralised and home days (a version without a close-contact rule is left
    out: it quarantines no one)."""
    out = []
    for v in QuarantinePolicy.objects.order_by("effective_from", "pk"):
        close = (v.params or {}).get("close")
        if not isinstance(close, dict):
            continue
        out.append(QuarantineVersion(name=v.name, effective_from=v.effective_from.isoformat(),
                                     centralised_days=int(close.get("centralised_days", 0)),
                                     home_days=int(close.get("home_days", 0))))
    return out
