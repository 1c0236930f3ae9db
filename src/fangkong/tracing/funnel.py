"""The 24-hour funnel: from a positive result to every close contact under control.

Steps per case: result → confirmed (registered and classified) → identified (its first
contact found) → controlled (its last close contact transferred). A case without close
contacts is under control once detection ran. ``within_24h`` is None while undecided.
Two queries whatever the number of cases: the cases, and one grouped query on contacts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, get_scoped, scope, within
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.tracing import logic
from fangkong.tracing.models import Case, Contact, ContactType


@dataclass(frozen=True)
class FunnelRow:
    case: Case
    result_at: dt.datetime
    confirmed_at: dt.datetime
    identified_at: dt.datetime | None
    controlled_at: dt.datetime | None
    hours_to_confirm: float | None
    hours_to_identify: float | None
    hours_to_control: float | None
    total_hours: float | None
    within_24h: bool | None


@dataclass(frozen=True)
class DistrictFunnel:
    district_id: int | None
    district: str
    cases: int
    controlled: int
    share_within_24h: float | None
    median_to_confirm: float | None
    median_to_identify: float | None
    median_to_control: float | None
    median_total: float | None


@dataclass(frozen=True)
class Funnel:
    cases: list[FunnelRow]
    districts: list[DistrictFunnel]


def _contact_times(case_ids: list[int]) -> dict[int, dict[str, object]]:
    close = Q(contact_type=ContactType.CLOSE)
    rows = (Contact.objects.filter(index_case_id__in=case_ids).values("index_case_id")
            .annotate(first=Min("identified_at"), close=Count("pk", filter=close),
                      pending=Count("pk", filter=close & Q(transferred_at__isnull=True)),
                      last=Max("transferred_at", filter=close)))
    return {r["index_case_id"]: dict(r) for r in rows}


def funnel_row(case: Case, times: dict[str, object] | None, *, now: dt.datetime) -> FunnelRow:
    times = times or {}
    first = times.get("first") or case.contacts_run_at
    identified = first if isinstance(first, dt.datetime) else None
    if not times.get("close"):
        controlled = logic.controlled_at(transferred=[], identified_at=identified)
    elif times.get("pending"):
        controlled = None
    else:
        last = times.get("last")
        controlled = last if isinstance(last, dt.datetime) else None
    steps = logic.funnel_steps(result_at=case.result_at, confirmed_at=case.confirmed_at,
                               identified_at=identified, controlled=controlled, now=now)
    return FunnelRow(case=case, result_at=case.result_at, confirmed_at=case.confirmed_at,
                     identified_at=identified, controlled_at=controlled,
                     hours_to_confirm=steps.result_to_confirmed,
                     hours_to_identify=steps.confirmed_to_identified,
                     hours_to_control=steps.identified_to_controlled,
                     total_hours=steps.total, within_24h=steps.within_24h)


def district_funnel(rows: list[FunnelRow], *, district_id: int | None, name: str
                    ) -> DistrictFunnel:
    return DistrictFunnel(
        district_id=district_id, district=name, cases=len(rows),
        controlled=sum(r.controlled_at is not None for r in rows),
        share_within_24h=logic.share_true(r.within_24h for r in rows),
        median_to_confirm=logic.median(r.hours_to_confirm for r in rows),
        median_to_identify=logic.median(r.hours_to_identify for r in rows),
        median_to_control=logic.median(r.hours_to_control for r in rows),
        median_total=logic.median(r.total_hours for r in rows))


def funnel_for(*, actor: Actor, district_id: int | None = None) -> Funnel:
    """Every case in scope (or in one district of it), newest result first, and a summary
    per district."""
    actor.require(Right.TRACING_VIEW)
    qs = scope(Case.objects.select_related("person", "district"), actor)
    if district_id is not None:
        unit = get_scoped(AdminUnit.objects.all(), actor, what="district", pk=district_id)
        qs = within(qs, unit)
    cases = list(qs.order_by("-result_at", "-pk"))
    times: dict[int, dict[str, object]] = {}
    ids = [c.pk for c in cases]
    for lo in range(0, len(ids), 500):
        times |= _contact_times(ids[lo:lo + 500])
    now = clock.now()
    rows = [funnel_row(c, times.get(c.pk), now=now) for c in cases]
    groups: dict[int | None, list[FunnelRow]] = defaultdict(list)
    names: dict[int | None, str] = {}
    for row in rows:
        groups[row.case.district_id].append(row)
        names[row.case.district_id] = row.case.district.name if row.case.district else "—"
    districts = [district_funnel(g, district_id=d, name=names[d])
                 for d, g in sorted(groups.items(), key=lambda kv: names[kv[0]])]
    return Funnel(cases=rows, districts=districts)
