"""The set-based pharmacy CSV import gives the per-line answers: a line repeated in the file
and a resend count as unchanged, one audit row per stored sale, every buyer's code
recomputed (the test pop-up under the 2022 rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core.models import AuditLog
from fangkong.healthcode import reports
from fangkong.healthcode.models import PersonCode, Purchase
from tests.factories import City, make_user
from tests.warning.builders_sentinel import SUMMER, actor, move_clock


def test_repeats_resends_audit_and_codes(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    move_clock(monkeypatch, SUMMER)
    pharmacy = actor(make_user("pharmacy1", unit=city.districts[0].grids[0], roles=["pharmacy"]))
    buyers = city.districts[0].persons[:3] + city.districts[1].persons[:2]
    when = (SUMMER - dt.timedelta(hours=2)).isoformat()
    lines = [f"{p.id_number},fever,{when}" for p in buyers]
    data = ("id_number,drug_class,bought_at\n" + "\n".join([*lines, lines[0]])).encode()
    first = reports.do_import_purchases(actor=pharmacy, data=data)
    assert (first.stored, first.unchanged, first.errors) == (5, 1, [])
    assert AuditLog.objects.filter(verb="healthcode.purchase.report").count() == 5
    assert {p.person_id: p.grid_id for p in Purchase.objects.all()} == {
        p.pk: p.grid_id for p in buyers}
    codes = PersonCode.objects.filter(person__in=buyers)
    assert codes.count() == 5 and all("test_missing" in c.flags for c in codes)
    again = reports.do_import_purchases(actor=pharmacy, data=data)
    assert (again.stored, again.unchanged) == (0, 6) and Purchase.objects.count() == 5
