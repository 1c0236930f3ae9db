"""Writes on risk areas: designate, raise, link a case, add a gate (right ``risk.manage``,
inside the actor's subtree). Lowering and lifting are not here: they go through a proposal
approved by a person (``lifting.do_decide_proposal``)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope, units_in_scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Building
from fangkong.risk.evidence import local_day
from fangkong.risk.lifting import review_area
from fangkong.risk.logic import LEVELS, is_lower, level_after_case
from fangkong.risk.models import AreaEvent, AreaStatus, EventKind, Gate, RiskArea
from fangkong.risk.policy import risk_policy_in_force, rules_of
from fangkong.tracing.models import Case

NAME_MAX = 200
GATE_NAME_MAX = 100
CODE_TRIES = 5


def _place(actor: Actor, *, unit_id: int | None,
           building_id: int | None) -> tuple[AdminUnit | None, Building | None]:
    """Exactly one of a community or grid, or a building, inside the actor's subtree."""
    if (unit_id is None) == (building_id is None):
        raise DomainError(_("choose either a community or grid, or a building"),
                          field="unit_id")
    if unit_id is not None:
        unit = units_in_scope(actor).filter(
            pk=unit_id, level__in=[Level.COMMUNITY, Level.GRID]).first()
        if unit is None:
            raise DomainError(_("choose a community or grid in your jurisdiction"),
                              field="unit_id")
        return unit, None
    building = scope(Building.objects.all(), actor).filter(pk=int(building_id or 0)).first()
    if building is None:
        raise DomainError(_("choose a building in your jurisdiction"), field="building_id")
    return None, building


def _cases(actor: Actor, case_ids: list[int]) -> list[Case]:
    wanted = set(case_ids)
    found = list(scope(Case.objects.all(), actor).filter(pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {c.pk for c in found})
        raise DomainError(_("unknown cases: %(ids)s") % {"ids": ", ".join(map(str, missing))},
                          field="case_ids")
    return found


def check_designate(*, actor: Actor, level: str, unit_id: int | None,
                    building_id: int | None, name: str, reason: str, case_ids: list[int],
                    started_at: dt.datetime) -> tuple[AdminUnit | None, Building | None,
                                                      list[Case]]:
    """Valid fields, a designatable level, a free place in scope; returns place and cases."""
    actor.require(Right.RISK_MANAGE)
    if started_at > clock.now() + dt.timedelta(minutes=5):
        raise DomainError(_("the start cannot be in the future"), field="started_at")
    rules = rules_of(risk_policy_in_force(on=local_day(started_at)))
    if level not in rules.designatable:
        raise DomainError(_("the policy in force does not designate this level"),
                          field="level")
    if not name.strip() or len(name.strip()) > NAME_MAX:
        raise DomainError(_("the name has 1 to %(n)d characters") % {"n": NAME_MAX},
                          field="name")
    if not reason.strip():
        raise DomainError(_("give the reason for the designation"), field="reason")
    unit, building = _place(actor, unit_id=unit_id, building_id=building_id)
    taken = RiskArea.objects.filter(status=AreaStatus.ACTIVE, unit=unit, building=building)
    if taken.exists():
        raise Conflict(_("an area in force already covers this place: %(code)s")
                       % {"code": taken.first()}, field="building_id" if building else "unit_id")
    return unit, building, _cases(actor, case_ids)


def _next_code(day: dt.date) -> str:
    """RA-YYYYMMDD-NNN, numbered within the day of the start."""
    prefix = f"RA-{day:%Y%m%d}-"
    taken = RiskArea.objects.filter(code__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def _save_new(area: RiskArea, day: dt.date) -> None:
    """Insert with the next free public code (two officers may designate at once)."""
    for _try in range(CODE_TRIES):
        area.code = _next_code(day)
        try:
            with transaction.atomic():
                area.save(force_insert=True)
            return
        except IntegrityError:
            area.pk = None
    raise Conflict(_("could not number the area, try again"), field="code")


def do_designate(*, actor: Actor, level: str, unit_id: int | None = None,
                 building_id: int | None = None, name: str, reason: str,
                 case_ids: list[int], started_at: dt.datetime | None = None) -> RiskArea:
    """Designate an area with its public code, its designation event and an audit row."""
    start = started_at or clock.now()
    with transaction.atomic():
        unit, building, cases = check_designate(
            actor=actor, level=level, unit_id=unit_id, building_id=building_id, name=name,
            reason=reason, case_ids=case_ids, started_at=start)
        area = RiskArea(name=name.strip(), unit=unit, building=building, level=level,
                        designated_level=level, level_since=start, reason=reason.strip(),
                        policy=risk_policy_in_force(on=local_day(start)), started_at=start,
                        designated_by_id=actor.user_id)
        if unit is not None:
            area.place_in(unit)
        else:
            _place_at_building(area, building)
        _save_new(area, local_day(start))
        area.cases.set(cases)
        AreaEvent.objects.create(area=area, at=start, kind=EventKind.DESIGNATED,
                                 level_to=level, actor_id=actor.user_id)
        record(actor=actor, verb="risk.area.designate", target=area, after=snapshot(area))
    return area


def _place_at_building(area: RiskArea, building: Building | None) -> None:
    assert building is not None
    area.district_id, area.street_id = building.district_id, building.street_id
    area.community_id, area.grid_id = building.community_id, building.grid_id


def _locked_active(actor: Actor, area_id: int) -> RiskArea:
    area = get_scoped(RiskArea.objects.select_for_update(), actor, what="risk area",
                      pk=area_id)
    if area.status != AreaStatus.ACTIVE:
        raise Conflict(_("the area is lifted"), field="area_id")
    return area


def _raise(area: RiskArea, *, level: str, actor: Actor, note: str) -> None:
    """Raise the area (the clean days restart) with its event; caller audits."""
    now, level_from = clock.now(), area.level
    area.level, area.level_since = level, now
    area.save(update_fields=["level", "level_since"])
    AreaEvent.objects.create(area=area, at=now, kind=EventKind.UPGRADED, level_from=level_from,
                             level_to=level, note=note[:300], actor_id=actor.user_id)


def do_change_level(*, actor: Actor, area_id: int, level: str, note: str = "") -> RiskArea:
    """Raise an area. Lowering is refused here: it needs an approved proposal."""
    actor.require(Right.RISK_MANAGE)
    if level not in LEVELS:
        raise DomainError(_("unknown level"), field="level")
    with transaction.atomic():
        area = _locked_active(actor, area_id)
        if level == area.level:
            return area  # a resent raise changes nothing
        if is_lower(level, area.level):
            raise DomainError(_("an area is lowered only through an approved proposal"),
                              field="level")
        before = snapshot(area)
        _raise(area, level=level, actor=actor, note=note.strip())
        review_area(area, today=local_day(clock.now()), actor=actor)
        record(actor=actor, verb="risk.area.raise", target=area, before=before,
               after=snapshot(area))
    return area


def do_link_case(*, actor: Actor, area_id: int, case_id: int) -> RiskArea:
    """Link a new case (idempotent): an event, a controlled area becomes sealed, and a
    pending proposal whose conditions no longer hold is withdrawn."""
    actor.require(Right.RISK_MANAGE)
    with transaction.atomic():
        area = _locked_active(actor, area_id)
        case = get_scoped(Case.objects.all(), actor, what="case", pk=case_id)
        if area.cases.filter(pk=case.pk).exists():
            return area
        before = {**snapshot(area), "cases": list(area.cases.values_list("pk", flat=True))}
        area.cases.add(case)
        AreaEvent.objects.create(area=area, at=clock.now(), kind=EventKind.CASE_LINKED,
                                 actor_id=actor.user_id)
        raised = level_after_case(area.level)
        if raised is not None:
            _raise(area, level=raised, actor=actor, note=_("a new case in the area"))
        review_area(area, today=local_day(clock.now()), actor=actor)
        record(actor=actor, verb="risk.area.link_case", target=area, before=before,
               after={**snapshot(area), "cases": list(area.cases.values_list("pk", flat=True))})
    return area


def _check_gate(*, name: str, lat: float | None, lon: float | None) -> None:
    if not name.strip() or len(name.strip()) > GATE_NAME_MAX:
        raise DomainError(_("the name has 1 to %(n)d characters") % {"n": GATE_NAME_MAX},
                          field="name")
    if (lat is None) != (lon is None):
        raise DomainError(_("give both latitude and longitude, or neither"), field="lat")
    if lat is not None and not -90 <= lat <= 90:
        raise DomainError(_("latitude is between -90 and 90"), field="lat")
    if lon is not None and not -180 <= lon <= 180:
        raise DomainError(_("longitude is between -180 and 180"), field="lon")


def do_add_gate(*, actor: Actor, area_id: int, name: str, lat: float | None = None,
                lon: float | None = None) -> Gate:
    """Add a gate to an area; resending the same gate returns it unchanged."""
    actor.require(Right.RISK_MANAGE)
    _check_gate(name=name, lat=lat, lon=lon)
    with transaction.atomic():
        area = _locked_active(actor, area_id)
        same = area.gates.filter(name=name.strip(), active=True).first()
        if same is not None:
            if (same.lat, same.lon) == (lat, lon):
                return same
            raise DomainError(_("this area already has a gate of this name"), field="name")
        gate = Gate(area=area, name=name.strip(), lat=lat, lon=lon)
        gate.district_id, gate.street_id = area.district_id, area.street_id
        gate.community_id, gate.grid_id = area.community_id, area.grid_id
        gate.save(force_insert=True)
        record(actor=actor, verb="risk.gate.add", target=gate, after=snapshot(gate))
    return gate
