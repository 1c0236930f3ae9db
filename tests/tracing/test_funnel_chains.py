"""The 24-hour funnel from stored timestamps, and chains/clusters from source links."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.tracing import actions_cases as ac
from fangkong.tracing import chains, funnel
from fangkong.tracing.models import Case, Contact
from tests.factories import City
from tests.tracing.world import Team, add_contact, at, register

pytestmark = pytest.mark.django_db


def _times(case: Case, *, result: dt.datetime, confirmed: dt.datetime) -> Case:
    Case.objects.filter(pk=case.pk).update(result_at=result, confirmed_at=confirmed)
    case.refresh_from_db()
    return case


def test_funnel_rows_and_district_summary(city: City, t: Team) -> None:
    d1 = city.districts[0].persons
    fast = _times(register(t.tracer, d1[0]), result=at(8), confirmed=at(10))
    add_contact(fast, d1[3], identified_at=at(12), transferred_at=at(20), status="transferred")
    add_contact(fast, d1[4], identified_at=at(13), transferred_at=at(22), status="transferred")
    add_contact(fast, d1[5], contact_type="companion", identified_at=at(11))  # not close
    slow = _times(register(t.tracer, d1[1]), result=at(8), confirmed=at(9))
    add_contact(slow, d1[3], identified_at=at(10), transferred_at=at(23) + dt.timedelta(
        hours=12), status="transferred")
    pending = _times(register(t.tracer, d1[2]), result=at(8), confirmed=at(9))
    add_contact(pending, d1[4], identified_at=at(10))
    result = funnel.funnel_for(actor=t.officer)
    rows = {r.case.pk: r for r in result.cases}
    row = rows[fast.pk]
    assert (row.identified_at, row.controlled_at) == (at(11), at(22))
    assert (row.hours_to_confirm, row.hours_to_identify, row.hours_to_control,
            row.total_hours, row.within_24h) == (2.0, 1.0, 11.0, 14.0, True)
    assert rows[slow.pk].within_24h is False and rows[slow.pk].total_hours == 27.0
    assert rows[pending.pk].controlled_at is None
    assert rows[pending.pk].within_24h is False  # more than a day has passed since 2022
    (summary,) = result.districts
    assert (summary.cases, summary.controlled, summary.share_within_24h) == (3, 2, 0.3333)
    assert summary.median_to_confirm == 1.0 and summary.median_total == 20.5
    assert funnel.funnel_for(actor=t.admin, district_id=city.districts[1].unit.pk).cases == []


def test_case_without_close_contacts_is_controlled_when_detection_ran(city: City,
                                                                      t: Team) -> None:
    case = _times(register(t.tracer, city.districts[0].persons[0]), result=at(8),
                  confirmed=at(9))
    (row,) = funnel.funnel_for(actor=t.tracer).cases
    assert row.identified_at is None and row.controlled_at is None
    Case.objects.filter(pk=case.pk).update(contacts_run_at=at(10))
    (row,) = funnel.funnel_for(actor=t.tracer).cases
    assert row.controlled_at == at(10) and row.within_24h is True


def test_chains_and_clusters_follow_links_in_scope(city: City, t: Team) -> None:
    d1, d2 = city.districts[0].persons, city.districts[1].persons
    a, b, c, lone = (register(t.tracer, p) for p in d1[:4])
    x = register(t.tracer2, d2[0])
    ac.do_link_source(actor=t.tracer, case_id=b.pk, source_case_id=a.pk)
    ac.do_link_source(actor=t.tracer, case_id=c.pk, source_case_id=a.pk)
    Case.objects.filter(pk=x.pk).update(source_case=c)  # a chain into district 2
    (cluster,) = chains.clusters_for(actor=t.tracer)
    assert (cluster.id, cluster.size, cluster.case_ids) == (1, 3, [a.pk, b.pk, c.pk])
    graph = chains.chain_graph(actor=t.tracer)
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert set(nodes) == {str(p.pk) for p in (a, b, c, lone)}
    assert nodes[str(a.pk)]["value"] == 2 and nodes[str(lone.pk)]["category"] == 1
    assert len(graph["categories"]) == 2
    assert {(k["source"], k["target"]) for k in graph["links"]} == {
        (str(a.pk), str(b.pk)), (str(a.pk), str(c.pk))}
    city_wide = chains.clusters_for(actor=t.admin)
    assert city_wide[0].case_ids == sorted([a.pk, b.pk, c.pk, x.pk])
    assert chains.clusters_for(actor=t.tracer2) == []  # x alone on its side
    assert Contact.objects.count() == 0
