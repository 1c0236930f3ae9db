"""Life in the demo's sealed buildings (see ``risk.demo``): requests in every state, today's
roster checks and exit passes checked at the gates, each through its action at its moment.

The first fresh building lies in the grid of ``volunteer1`` and ``gate1``: the volunteer takes
and completes requests there and checks its roster; the gate keeper scans passes at its gates.
Without those logins the district officer does their part.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from fangkong.core.jurisdiction import Actor
from fangkong.registry.models import Household, Person
from fangkong.risk import passes, requests, roster
from fangkong.risk.models import (
    CareStatus,
    PassPurpose,
    RequestChannel,
    RequestKind,
    RiskArea,
)
from fangkong.testing.demo_steps import at

ROSTER_SHARE = 0.6  # of the special-group members checked so far today
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Want:
    """One request of the story: what, how long ago it was filed (or how long after the seal),
    and how far it got."""

    kind: str
    details: str
    filed: dt.datetime
    state: str  # open, assigned, done, cancelled
    channel: str = RequestChannel.STAFF
    for_special: str = ""  # a member of this special group needs it, if one lives there


def seed_life(*, officer: Actor, volunteer: Actor | None, gate: Actor | None,
              rnd: random.Random, fresh: list[RiskArea], old: RiskArea,
              now: dt.datetime) -> None:
    first = fresh[0]
    helper = volunteer or officer
    _requests(officer, helper, first, _fresh_wants(first, now), now)
    _requests(officer, officer, old, _old_wants(old, now), now)
    checked = 0
    for area in [*fresh, old]:
        checked += _roster(helper if area.pk == first.pk else officer, area, rnd, now,
                           first=checked)
    other = fresh[1] if len(fresh) > 1 else old
    _passes(officer=officer, helper=helper, gate=gate, first=first, other=other, now=now)


def _fresh_wants(area: RiskArea, now: dt.datetime) -> list[Want]:
    sealed = area.started_at
    return [
        Want(RequestKind.MEDICINE, "降压药 (blood-pressure tablets)",
             sealed + 30 * MINUTE, "done"),
        Want(RequestKind.GROCERIES, "米、面、蔬菜 (rice, noodles, vegetables)",
             sealed + 60 * MINUTE, "cancelled"),
        Want(RequestKind.GROCERIES, "婴儿奶粉 (infant formula)",
             now - dt.timedelta(hours=5), "assigned"),
        Want(RequestKind.DIALYSIS, "周三透析, 需车送医院 (dialysis: a car to the hospital)",
             now - dt.timedelta(hours=3), "assigned", for_special="chronic_care"),
        Want(RequestKind.GROCERIES, "蔬菜和鸡蛋 (vegetables and eggs)",
             now - dt.timedelta(hours=2), "open", channel=RequestChannel.RESIDENT),
        Want(RequestKind.PREGNANCY, "孕检预约 (antenatal check)",
             now - dt.timedelta(hours=1), "open", for_special="pregnant"),
        Want(RequestKind.EMERGENCY, "老人胸闷气短 (an elder short of breath)",
             now - 20 * MINUTE, "open", channel=RequestChannel.HOTLINE,
             for_special="over80_alone"),
    ]


def _old_wants(area: RiskArea, now: dt.datetime) -> list[Want]:
    sealed = area.started_at
    return [
        Want(RequestKind.GROCERIES, "米、油 (rice and oil)", sealed + dt.timedelta(days=1),
             "done"),
        Want(RequestKind.MEDICINE, "感冒药 (cold medicine)", sealed + dt.timedelta(days=3),
             "done"),
        Want(RequestKind.MEDICINE, "胰岛素 (insulin)", now - dt.timedelta(hours=14),
             "open", for_special="chronic_care"),
        Want(RequestKind.OTHER, "燃气费代缴 (pay the gas bill)", now - dt.timedelta(hours=4),
             "open"),
    ]


def _person_for(household: Household, group: str) -> Person | None:
    if not group:
        return None
    return Person.objects.filter(household=household, inactive_since__isnull=True,
                                 **{group: True}).first()


def _household_for(area: RiskArea, want: Want, n: int) -> tuple[Household, Person | None]:
    """The household with a member of the wanted group, else the n-th one of the area."""
    homes = list(requests.area_households(area).order_by("pk"))
    for home in homes:
        if (person := _person_for(home, want.for_special)) is not None:
            return home, person
    return homes[n % len(homes)], None


def _requests(officer: Actor, helper: Actor, area: RiskArea, wants: list[Want],
              now: dt.datetime) -> None:
    for n, want in enumerate(wants):
        household, person = _household_for(area, want, n)
        # never before the seal, nor later than now
        filed = min(max(want.filed, area.started_at + (n + 1) * MINUTE), now)
        with at(filed):
            req = _file(officer, household, person, dataclasses.replace(want, filed=filed), n)
        if want.state in ("assigned", "done"):
            with at(min(filed + 30 * MINUTE, now)):
                requests.do_assign_request(actor=helper, request_id=req.pk,
                                           assignee_id=int(helper.user_id or 0))
        if want.state == "done":
            with at(min(filed + dt.timedelta(hours=2), now)):
                requests.do_complete_request(actor=helper, request_id=req.pk,
                                             outcome="已送到门口 (left at the door)")
        if want.state == "cancelled":
            with at(min(filed + dt.timedelta(hours=2), now)):
                requests.do_cancel_request(actor=officer, request_id=req.pk,
                                           reason="家属已送达 (the family brought it)")


def _file(officer: Actor, household: Household, person: Person | None, want: Want,
          n: int) -> requests.SupplyRequest:
    """Filed by staff, from the hotline, or by the resident through the household link."""
    if want.channel == RequestChannel.RESIDENT:
        token = requests.do_make_household_link(actor=officer, household_id=household.pk)
        return requests.do_request_by_link(token=token, kind=want.kind, details=want.details,
                                           client_key=f"demo-{household.pk}-{n}")
    return requests.do_create_request(
        actor=officer, household_id=household.pk, kind=want.kind, details=want.details,
        person_id=person.pk if person else None, channel=want.channel,
        client_key=f"demo-{household.pk}-{n}")


def _roster(actor: Actor, area: RiskArea, rnd: random.Random, now: dt.datetime, *,
            first: int) -> int:
    """Part of the roster checked this morning: most well; of all the areas' checks the first
    needs medicine (which opens a request), the second was not reached. Returns how many."""
    people = list(roster.roster_people(actor, area).order_by("pk"))
    chosen = sorted(rnd.sample(people, round(len(people) * ROSTER_SHARE)), key=lambda p: p.pk)
    today = timezone.localdate(now)
    start = max(area.started_at, timezone.make_aware(dt.datetime.combine(today, dt.time(7))))
    for k, person in enumerate(chosen, start=first):
        status, kind, note = CareStatus.OK, None, ""
        if k == 0:
            status, kind, note = CareStatus.NEEDS_HELP, RequestKind.MEDICINE, "药快吃完了"
        elif k == 1:
            status, note = CareStatus.UNREACHABLE, "电话未接, 稍后上门"
        with at(min(start + (k - first) * 3 * MINUTE, now)):
            roster.do_record_care_check(actor=actor, area_id=area.pk, person_id=person.pk,
                                        status=status, note=note, request_kind=kind)
    return len(chosen)


def _passes(*, officer: Actor, helper: Actor, gate: Actor | None, first: RiskArea,
            other: RiskArea, now: dt.datetime) -> None:
    """Two passes of the first building used at its gates, and one of another area shown at
    the first building's gate (refused: wrong gate)."""
    homes = list(requests.area_households(first).order_by("pk"))[:2]
    purposes = (PassPurpose.MEDICAL, PassPurpose.SHOPPING)
    issued = []
    for k, (home, purpose) in enumerate(zip(homes, purposes, strict=False)):
        with at(now - dt.timedelta(minutes=100 - 30 * k)):
            holder = home.members.filter(inactive_since__isnull=True).order_by("pk").first()
            issued.append(passes.do_issue_pass(actor=helper, area_id=first.pk,
                                               household_id=home.pk, purpose=purpose,
                                               holder_id=holder.pk if holder else None))
    away = requests.area_households(other).order_by("pk").first()
    if away is not None:
        with at(now - dt.timedelta(minutes=45)):
            issued.append(passes.do_issue_pass(actor=officer, area_id=other.pk,
                                               household_id=away.pk,
                                               purpose=PassPurpose.SHOPPING))
    gates = list(first.gates.order_by("pk"))
    if gate is None or not gates:
        return  # no gate keeper to scan them
    for k, exit_pass in enumerate(issued):
        with at(now - dt.timedelta(minutes=30 - 10 * k)):
            passes.check_pass_at_gate(actor=gate, gate_id=gates[k % len(gates)].pk,
                                      token=passes.pass_token(exit_pass))
