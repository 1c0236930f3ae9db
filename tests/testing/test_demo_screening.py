"""The demo's screening seed on a small generated city: round 1 done and 100 % accounted for,
two positive pools held, retested and turned into two cases; round 2 running, partly sampled,
partly resulted, with a lost box flagged; built once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import override_settings

from fangkong import demo
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, AuditLog, Level
from fangkong.registry.load import load_city
from fangkong.synth.generate import generate_city
from fangkong.testing import coverage
from fangkong.testing.models import (
    Alert,
    Booking,
    Campaign,
    Exemption,
    Hold,
    Lab,
    Sample,
    Tube,
    TubeResult,
    TubeStatus,
)
from fangkong.tracing.models import Case, CaseOrigin
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def seeded(tmp_path: Path) -> dict[str, int]:
    city = tmp_path / "city"
    generate_city(out=city, residents=3000, seed=11, days=7, progress=False)
    load_city(src=city, progress=False)
    with override_settings(DATA_DIR=tmp_path):
        demo.ensure_logins()
        return demo.seed_screening(seed=5)


def _admin() -> Actor:
    top = AdminUnit.objects.get(level=Level.CITY)
    return actor_for(make_user("viewer-admin", unit=top, roles=["city_admin"]))


def test_round_one_is_done_and_accounted_for(seeded: dict[str, int]) -> None:
    r1 = Campaign.objects.get(code="R1")
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[0]
    counts = coverage.totals(r1, actor=_admin(), node=district)
    assert counts.registered > 300 and counts.untested == 0 and counts.percent == 100.0
    assert counts.exempt == Exemption.objects.filter(campaign=r1).count() > 0
    assert set(Exemption.objects.filter(campaign=r1).values_list("reason", flat=True)) \
        <= {"away", "hospital"}
    assert r1.status == "closed" and Lab.objects.count() == seeded["labs"] >= 2
    used = Tube.objects.filter(campaign=r1, members__gt=0)
    assert used.exists() and not used.exclude(status=TubeStatus.RESULTED).exists()
    assert 0 < Booking.objects.filter(campaign=r1).count() <= 300
    # Two pooled tubes positive; each member held, retested single-tube, one a case.
    pools = Tube.objects.filter(campaign=r1, result=TubeResult.POSITIVE, capacity__gt=1)
    assert pools.count() == 2
    holds = Hold.objects.filter(campaign=r1)
    assert set(holds.values_list("pool_tube_id", flat=True)) == set(pools.values_list("pk",
                                                                                        flat=True))
    by_status = dict(holds.values_list("status").annotate(n=Count("pk")))
    assert by_status == {"case": 2, "released": holds.count() - 2}
    assert not holds.filter(retest__isnull=True).exists()
    cases = Case.objects.filter(origin=CaseOrigin.RESULT)
    assert cases.count() == 2 == seeded["cases"]
    assert set(cases.values_list("person_id", flat=True)) == set(
        holds.filter(status="case").values_list("person_id", flat=True))
    singles = Tube.objects.filter(campaign=r1, kind="retest", result=TubeResult.POSITIVE)
    assert singles.count() == 2
    assert AuditLog.objects.filter(verb="screening.result.case").count() == 2


def test_round_two_is_running_with_alerts(seeded: dict[str, int]) -> None:
    r2 = Campaign.objects.get(code="R2")
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[1]
    counts = coverage.totals(r2, actor=_admin(), node=district)
    assert r2.status == "running"
    assert 0.55 <= counts.tested / counts.registered <= 0.65
    tubes = Tube.objects.filter(campaign=r2, sealed_at__isnull=False)
    resulted = tubes.filter(result=TubeResult.NEGATIVE).count()
    assert 0 < resulted < tubes.count()  # (the 100 k city's sites: about half)
    assert not Tube.objects.filter(campaign=r2, result=TubeResult.POSITIVE).exists()
    late = Alert.objects.filter(campaign=r2, kind="not_received", resolved_at__isnull=True)
    assert late.exists()
    cutoff = clock.now() - dt.timedelta(hours=4)
    for alert in late.select_related("tube"):
        assert alert.tube is not None and alert.tube.received_at is None
        assert alert.tube.sealed_at is not None and alert.tube.sealed_at < cutoff
    assert r2.starts_at < clock.now() - dt.timedelta(hours=4)
    assert Sample.objects.filter(campaign=r2).exclude(channel="site").exists()


def test_seed_runs_once(seeded: dict[str, int], tmp_path: Path) -> None:
    audit = AuditLog.objects.count()
    with override_settings(DATA_DIR=tmp_path):
        again = demo.seed_screening(seed=5)
    assert {k: v for k, v in again.items() if k != "seconds"} == \
        {k: v for k, v in seeded.items() if k != "seconds"}
    assert AuditLog.objects.count() == audit
    assert seeded["campaigns"] == 2 and seeded["positives"] == 4 and seeded["seconds"] < 60
