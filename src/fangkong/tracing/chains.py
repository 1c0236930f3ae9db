"""Transmission chains: cases linked by the source the investigation found, drawn as an
ECharts graph whose categories are clusters (connected components of the links).

Only cases the actor sees take part; a link to a case outside the scope is left out, so a
chain that crosses into another district shows as two pieces, one on each side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.tracing import logic
from fangkong.tracing.models import Case


@dataclass(frozen=True)
class Cluster:
    id: int  # 1 = the largest
    size: int
    case_ids: list[int]
    first_date: dt.date  # earliest confirmation (city date)
    last_date: dt.date


def _visible(actor: Actor) -> dict[int, Case]:
    actor.require(Right.TRACING_VIEW)
    qs = scope(Case.objects.select_related("district"), actor).only(
        "pk", "classification", "confirmed_at", "source_case_id", "district", "district__name")
    return {c.pk: c for c in qs.order_by("pk")}


def _links(cases: dict[int, Case]) -> list[tuple[int, int]]:
    return [(c.source_case_id, c.pk) for c in cases.values()
            if c.source_case_id is not None and c.source_case_id in cases]


def _clusters(cases: dict[int, Case]) -> list[Cluster]:
    groups = [g for g in logic.components(cases, _links(cases)) if len(g) > 1]
    result = []
    for i, group in enumerate(groups, start=1):
        dates = [timezone.localtime(cases[pk].confirmed_at).date() for pk in group]
        result.append(Cluster(id=i, size=len(group), case_ids=group, first_date=min(dates),
                              last_date=max(dates)))
    return result


def clusters_for(*, actor: Actor) -> list[Cluster]:
    """Clusters of two or more linked cases, largest first; a lone case is no cluster."""
    return _clusters(_visible(actor))


def chain_graph(*, actor: Actor) -> dict[str, Any]:
    """ECharts ``graph`` series data: nodes (value = cases it infected, category = cluster;
    unlinked cases share the last category), links source → infected, categories."""
    cases = _visible(actor)
    links = _links(cases)
    clusters = _clusters(cases)
    category = {pk: c.id - 1 for c in clusters for pk in c.case_ids}
    unlinked = len(clusters)
    infected: dict[int, int] = {}
    for source, _target in links:
        infected[source] = infected.get(source, 0) + 1
    nodes = [{"id": str(pk), "name": f"#{pk}", "category": category.get(pk, unlinked),
              "value": infected.get(pk, 0), "classification": c.classification,
              "district": c.district.name if c.district else ""}
             for pk, c in cases.items()]
    categories = [{"name": _("Cluster %(n)s (%(size)s cases)") % {"n": c.id, "size": c.size}}
                  for c in clusters]
    categories.append({"name": _("Unlinked cases")})
    return {"nodes": nodes, "links": [{"source": str(s), "target": str(t)} for s, t in links],
            "categories": categories}
