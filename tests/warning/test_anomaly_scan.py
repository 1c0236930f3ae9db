"""The daily scan on real rows: a rise in one street's clinic visits writes one Anomaly on its
first day (not on the days after), a scan again writes nothing, the command centre raises one
task for the street, the dashboard counts it until HQ decides; decisions are audited and an
anomaly of another district answers 404 (page and API)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from fangkong.command.metrics import compute, root_id
from fangkong.command.metrics_defs import BY_NAME
from fangkong.command.models import Directive, Task
from fangkong.core import clock
from fangkong.core.audit import AuditLog
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.warning.anomaly import daily_counts, do_decide, do_scan, series_of
from fangkong.warning.models import Anomaly, AnomalyStatus, Stream
from tests.factories import PASSWORD, City, make_user
from tests.warning.builders_anomaly import visits

DAY = dt.date(2022, 5, 20)  # the 2021-08 policy: EWMA, lambda 0.3, 3 sd, 28 days, min 3
QUIET = [5] * 42


@pytest.fixture
def rise(city: City) -> City:
    """District 1's street: 5 visits a day for six weeks, then 20 on DAY and 25 the day after;
    district 2's street: 5 a day throughout."""
    one, two = city.districts
    visits(one.venues[0], last=DAY + dt.timedelta(days=1), counts=[*QUIET, 20, 25])
    visits(two.venues[0], last=DAY + dt.timedelta(days=1), counts=[*QUIET, 5, 5])
    return city


def test_counts_are_grouped_by_street_and_local_day(rise: City) -> None:
    street = rise.districts[0].grids[0].street_id
    assert street is not None
    got = daily_counts(stream=Stream.CLINIC, street_ids=[street], first=DAY - dt.timedelta(1),
                       last=DAY)
    assert got.tolist() == [[5.0, 20.0]]
    with pytest.raises(DomainError, match="unknown stream"):
        daily_counts(stream="gossip", street_ids=[street], first=DAY, last=DAY)


def test_a_rise_is_one_anomaly_and_one_task_and_a_rescan_adds_nothing(rise: City) -> None:
    done = do_scan(day=DAY)
    assert done.created == 1 and done.policy == "warning-2021-08"
    found = Anomaly.objects.get()
    assert (found.street_id, found.stream, found.day, found.observed) == (
        rise.districts[0].grids[0].street_id, Stream.CLINIC, DAY, 20)
    assert found.expected == pytest.approx(5.0) and found.statistic > found.threshold
    assert do_scan(day=DAY).created == 0
    assert do_scan(day=DAY + dt.timedelta(days=1)).created == 0  # same run: no second row
    task = Task.objects.select_related("directive").get()
    assert task.unit_id == found.street_id and task.directive.group == "tracing"
    assert task.directive.issuer_unit_id == rise.districts[0].unit.pk
    assert str(found.pk) in task.directive.body and Directive.objects.count() == 1
    assert AuditLog.objects.filter(verb="warning.anomaly.raise").count() == 1


def test_the_dashboard_counts_new_anomalies_until_decided(rise: City) -> None:
    do_scan(day=DAY)
    found = Anomaly.objects.get()
    root = root_id()
    assert root is not None
    metric = BY_NAME["anomalies_new"]
    assert compute(metric, day=clock.city_today(), units=None, root=root) == {
        found.street_id: 1}
    officer = make_user("officer1", unit=rise.districts[0].unit, roles=["district_officer"])
    do_decide(actor=actor_for(officer), anomaly_id=found.pk, status="acknowledged",
              note="calling the clinic")
    assert compute(metric, day=clock.city_today(), units=None, root=root) == {}


def test_decisions_are_audited_and_checked(rise: City) -> None:
    do_scan(day=DAY)
    found = Anomaly.objects.get()
    officer = actor_for(make_user("officer1", unit=rise.districts[0].unit,
                                  roles=["district_officer"]))
    with pytest.raises(DomainError, match="note"):
        do_decide(actor=officer, anomaly_id=found.pk, status="dismissed", note="  ")
    with pytest.raises(DomainError) as bad:
        do_decide(actor=officer, anomaly_id=found.pk, status="new", note="x")
    assert bad.value.field == "status"
    row = do_decide(actor=officer, anomaly_id=found.pk, status="dismissed", note="a school trip")
    assert row.status == AnomalyStatus.DISMISSED and row.decided_at is not None
    assert do_decide(actor=officer, anomaly_id=found.pk, status="dismissed", note="again").note \
        == "a school trip"
    with pytest.raises(DomainError, match="dismissed"):
        do_decide(actor=officer, anomaly_id=found.pk, status="acknowledged", note="x")
    assert AuditLog.objects.filter(verb="warning.anomaly.dismissed").count() == 1
    other = actor_for(make_user("officer2", unit=rise.districts[1].unit,
                                roles=["district_officer"]))
    with pytest.raises(NotFound):
        do_decide(actor=other, anomaly_id=found.pk, status="acknowledged", note="x")


def test_the_series_charts_the_rise(rise: City) -> None:
    do_scan(day=DAY)
    series = series_of(Anomaly.objects.get())
    flagged = series["days"].index(DAY.isoformat())
    assert series["counts"][flagged] == 20 and series["alarm"][flagged]
    assert series["expected"][flagged] == 5.0 and not any(series["alarm"][:flagged])


def test_the_page_and_api_are_scoped(rise: City, client: Client) -> None:
    do_scan(day=DAY)
    found = Anomaly.objects.get()
    make_user("officer1", unit=rise.districts[0].unit, roles=["district_officer"])
    make_user("officer2", unit=rise.districts[1].unit, roles=["district_officer"])
    client.login(username="officer1", password=PASSWORD)
    page = client.get("/warning/anomalies/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and f'data-anomaly="{found.pk}"' in page.content.decode()
    assert client.get(f"/api/v1/warning/anomalies/{found.pk}").status_code == 200
    posted = client.post(f"/warning/anomalies/{found.pk}/decide/",
                         {"status": "acknowledged", "note": "looking", "back": "new"})
    assert posted.status_code == 302
    client.logout()
    client.login(username="officer2", password=PASSWORD)
    page = client.get("/warning/anomalies/?status=all", HTTP_ACCEPT_LANGUAGE="en")
    assert f'data-anomaly="{found.pk}"' not in page.content.decode()
    assert client.get(f"/api/v1/warning/anomalies/{found.pk}").status_code == 404
    assert client.post(f"/warning/anomalies/{found.pk}/decide/",
                       {"status": "dismissed", "note": "x"}).status_code == 404
    listed = client.get("/api/v1/warning/anomalies?status=acknowledged")
    assert json.loads(listed.content) == []
