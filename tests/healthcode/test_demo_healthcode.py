"""The demo's health codes on a small generated city: every colour present, pop-ups from a
round-2 pool on hold and arrivals without a test, a pending manual change flagged as misuse
(no epidemiological link), an appeal and venue check-ins; built once, through the actions,
and district 2's officer sees none of district 1's codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from fangkong import demo
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, Approval, ApprovalStatus, AuditLog, Level
from fangkong.healthcode import abuse, changes, queries
from fangkong.healthcode.demo import demo_residents, gate_venue
from fangkong.healthcode.models import (
    AbuseAlert,
    AbuseKind,
    Appeal,
    Arrival,
    Checkin,
    PersonCode,
    Purchase,
    SigningKey,
)
from fangkong.healthcode.resident import read_resident_token
from fangkong.registry.load import load_city
from fangkong.registry.models import Person
from fangkong.synth.generate import generate_city
from fangkong.testing.models import Hold, HoldStatus

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def seeded(tmp_path: Path) -> dict[str, Any]:
    city = tmp_path / "city"
    generate_city(out=city, residents=8000, seed=11, days=7, progress=False)
    load_city(src=city, progress=False)
    with override_settings(DATA_DIR=tmp_path):
        demo.ensure_logins()
        demo.seed_screening(seed=5)
        demo.ensure_logins()
        demo.seed_risk(seed=5)
        demo.seed_quarantine(seed=5)
        return demo.seed_healthcode(seed=5, progress=False)


def _actor(name: str) -> Actor:
    return actor_for(User.objects.get(username=name))


def _flagged(flag: str) -> int:
    return sum(flag in flags for flags in PersonCode.objects.values_list("flags", flat=True))


def test_every_resident_coded_with_each_colour_and_popups(seeded: dict[str, Any]) -> None:
    residents = Person.objects.filter(inactive_since__isnull=True).count()
    assert PersonCode.objects.filter(person__inactive_since__isnull=True).count() == residents
    assert all(seeded[c] for c in ("green", "yellow", "red"))
    assert seeded["green"] + seeded["yellow"] + seeded["red"] == PersonCode.objects.count()
    assert seeded["key"] == SigningKey.objects.get(retired_at__isnull=True).kid
    held = Hold.objects.filter(status=HoldStatus.HELD)
    assert held.exists() and _flagged("pool_hold") == held.values("person").distinct().count()
    assert Arrival.objects.count() == _flagged("test_missing") > 0
    assert seeded["pop-ups"] == PersonCode.objects.exclude(flags=[]).count() > 0
    reasons = {r["code"] for rs in PersonCode.objects.values_list("reasons", flat=True)
               for r in rs}
    assert {"case", "quarantine", "risk_area", "pool_hold", "arrival_untested"} <= reasons
    assert Purchase.objects.filter(venue__isnull=False).exists()  # pharmacy1's sales
    # The printed links open a red and a green resident's page.
    found = demo_residents()
    assert {c: PersonCode.objects.get(person=p).colour for c, p in found.items()} == {
        "red": "red", "green": "green"}
    links = demo.healthcode_links(url="http://x")
    assert len(links) == 2
    token = links[0].rsplit("/c/", 1)[1].rstrip("/")
    assert read_resident_token(token) == found["red"]


def test_pending_change_warns_of_misuse_appeal_and_checkins(
        seeded: dict[str, Any]) -> None:
    approval = Approval.objects.get(kind=changes.KIND)
    assert approval.status == ApprovalStatus.PENDING
    assert approval.requested_by == User.objects.get(username="officer1")
    person = Person.objects.get(pk=int(approval.target_id))
    assert abuse.links_of(person, at=approval.requested_at, days=14) == []
    warnings = abuse.approval_warnings(approval)
    assert len(warnings) == 1 and "No epidemiological link" in warnings[0]
    assert AbuseAlert.objects.filter(kind=AbuseKind.UNLINKED).count() == 1
    assert changes.pending_changes(_actor("commander")).count() == 1
    appeal = Appeal.objects.get()
    assert appeal.colour == "yellow" and appeal.status == "open"
    venue = gate_venue()
    assert venue is not None
    assert Checkin.objects.filter(venue=venue).count() == 8
    door = User.objects.get(username="door1")
    assert door.profile.unit_id == venue.grid_id  # type: ignore[attr-defined]


def test_second_district_sees_none_and_seed_runs_once(seeded: dict[str, Any],
                                                       tmp_path: Path) -> None:
    first, second = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[:2]
    other = _actor("officer2")
    assert not queries.codes_for(other).filter(district=first).exists()
    assert queries.codes_for(other).count() == PersonCode.objects.filter(
        district=second).count() > 0
    assert not changes.pending_changes(other).exists()
    assert not abuse.alerts_in_scope(other).exists()
    audit, codes = AuditLog.objects.count(), PersonCode.objects.count()
    with override_settings(DATA_DIR=tmp_path):
        again = demo.seed_healthcode(seed=5, progress=False)
    assert {k: v for k, v in again.items() if k != "seconds"} == \
        {k: v for k, v in seeded.items() if k != "seconds"}
    assert AuditLog.objects.count() == audit and PersonCode.objects.count() == codes
    assert Approval.objects.filter(kind=changes.KIND).count() == 1
