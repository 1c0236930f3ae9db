"""The demo's risk areas on a small generated city: the two screening cases' buildings sealed
with their gates and a precaution community, an older sealed building whose lifting is
proposed and left pending, requests in every state, roster checks, passes and gate checks;
built once, through the actions, and invisible to the second district's officer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from fangkong import demo
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, AuditLog, Level
from fangkong.registry.load import load_city
from fangkong.risk import requests
from fangkong.risk.models import (
    AreaStatus,
    CareCheck,
    CareStatus,
    CheckResult,
    ExitPass,
    Gate,
    LiftProposal,
    PassCheck,
    ProposalStatus,
    RequestKind,
    RequestStatus,
    RiskArea,
    RiskLevel,
    SupplyRequest,
)
from fangkong.risk.queries import areas_for, proposals_for
from fangkong.synth.generate import generate_city
from fangkong.tracing.models import Case, CaseOrigin

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def seeded(tmp_path: Path) -> dict[str, dict[str, int]]:
    city = tmp_path / "city"
    generate_city(out=city, residents=3000, seed=11, days=7, progress=False)
    load_city(src=city, progress=False)
    with override_settings(DATA_DIR=tmp_path):
        demo.ensure_logins()
        demo.seed_screening(seed=5)
        demo.ensure_logins()
        return {"risk": demo.seed_risk(seed=5), "quarantine": demo.seed_quarantine(seed=5)}


def _actor(name: str) -> Actor:
    return actor_for(User.objects.get(username=name))


def test_areas_proposal_requests_and_gates(seeded: dict[str, dict[str, int]]) -> None:
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[0]
    cases = Case.objects.filter(origin=CaseOrigin.RESULT, district=district)
    sealed = RiskArea.objects.filter(level=RiskLevel.SEALED, status=AreaStatus.ACTIVE)
    fresh = sealed.filter(cases__in=cases).distinct()
    buildings = set(cases.values_list("person__household__building_id", flat=True))
    assert set(fresh.values_list("building_id", flat=True)) == buildings
    assert RiskArea.objects.filter(level=RiskLevel.PRECAUTION, unit__level=Level.COMMUNITY,
                                   unit_id__in=cases.values("community_id")).exists()
    assert not Gate.objects.exclude(area__in=sealed).exists()
    assert all(a.gates.count() == 2 for a in sealed)
    # The older building: six days sealed, its last case six days old, lifting proposed.
    old = sealed.exclude(pk__in=fresh.values("pk")).get()
    today = clock.city_today()
    assert timezone.localdate(old.started_at) == today - dt.timedelta(days=6)
    proposal = LiftProposal.objects.get()
    assert proposal.area == old and proposal.status == ProposalStatus.PENDING
    assert proposal.to_level == "" and proposal.evidence["clean_days"] >= 5
    assert old.status == AreaStatus.ACTIVE and old.lifted_at is None  # not applied
    assert [p.pk for p in proposals_for(_actor("officer1"))] == [proposal.pk]
    # Requests in every state, an overdue one, an emergency and a dialysis trip.
    states = dict(SupplyRequest.objects.values_list("status").annotate(n=Count("pk")))
    assert set(states) == set(RequestStatus.values)
    assert SupplyRequest.objects.filter(requests.overdue_q(clock.now())).exists()
    kinds = set(SupplyRequest.objects.values_list("kind", flat=True))
    assert {RequestKind.EMERGENCY, RequestKind.DIALYSIS} <= kinds
    volunteer = User.objects.get(username="volunteer1")
    taken = SupplyRequest.objects.filter(assignee=volunteer)
    assert taken.filter(status=RequestStatus.ASSIGNED).exists()
    assert taken.filter(status=RequestStatus.DONE).exists()
    assert SupplyRequest.objects.filter(channel="resident").exists()
    # Today's roster: part of the special groups, one in need (with a request), one unreached.
    checks = CareCheck.objects.filter(day=today)
    assert checks.filter(status=CareStatus.NEEDS_HELP).exists()
    assert checks.filter(status=CareStatus.UNREACHABLE).exists()
    # Passes and the gate: one let through, one stopped at the wrong gate, by gate1.
    results = list(PassCheck.objects.values_list("result", flat=True))
    assert CheckResult.PASS in results and CheckResult.WRONG_GATE in results
    assert set(PassCheck.objects.values_list("checked_by__username", flat=True)) == {"gate1"}
    assert ExitPass.objects.count() == seeded["risk"]["passes"] >= 2
    assert seeded["risk"]["areas"] == RiskArea.objects.count() >= 4


def test_second_district_sees_none_and_seed_runs_once(
        seeded: dict[str, dict[str, int]], tmp_path: Path) -> None:
    other = _actor("officer2")
    assert not areas_for(other).exists()
    assert not requests.requests_for(other).exists()
    assert not proposals_for(other).exists()
    assert areas_for(_actor("officer1")).count() == RiskArea.objects.count()
    audit = AuditLog.objects.count()
    with override_settings(DATA_DIR=tmp_path):
        again = demo.seed_risk(seed=5)
    assert {k: v for k, v in again.items() if k != "seconds"} == \
        {k: v for k, v in seeded["risk"].items() if k != "seconds"}
    assert AuditLog.objects.count() == audit
    assert seeded["risk"]["seconds"] < 30
