"""The demo's tracing seed on a tiny generated city: cases imported, contacts found and given
a simulated history, source links from the infection tree, two-person risk points; once."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.test import override_settings

from fangkong import demo
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AdminUnit, AuditLog, Level
from fangkong.registry.load import load_city
from fangkong.synth.generate import generate_city
from fangkong.tracing.demo import seed_demo_tracing
from fangkong.tracing.models import Case, Contact, RiskPoint
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=False)


def test_seed_demo_tracing(tmp_path: Path) -> None:
    city = tmp_path / "city"
    generate_city(out=city, residents=2000, seed=7, days=7, progress=False)
    load_city(src=city, progress=False)
    top = AdminUnit.objects.get(level=Level.CITY)
    admin = actor_for(make_user("admin", unit=top, roles=["city_admin"]))
    reviewer = actor_for(make_user("reviewer", unit=top, roles=["tracer"]))
    with override_settings(DATA_DIR=tmp_path, MOVEMENT_DIR=tmp_path / "movement"):
        counts = seed_demo_tracing(city=city, actor=admin, reviewer=reviewer)
        assert (tmp_path / "movement").resolve() == city.resolve()
        demo.ensure_logins()
        again = demo.seed_tracing(city=city)  # the demo command's hook: seeds once
    expected = pq.read_table(city / "cases.parquet").num_rows
    assert counts["cases"] == Case.objects.count() == expected == again["cases"]
    assert Case.objects.filter(origin="import", external_id__isnull=False).count() == expected
    assert counts["contacts_close"] == Contact.objects.filter(contact_type="close").count() > 0
    assert not Contact.objects.filter(contact_type="secondary").exists()
    assert Case.objects.filter(source_case__isnull=False).count() == counts["source_links"]
    for contact in Contact.objects.exclude(status="identified")[:200]:
        assert contact.identified_at <= contact.notified_at  # type: ignore[operator]
        if contact.located_at:
            assert contact.notified_at <= contact.located_at  # type: ignore[operator]
    published = RiskPoint.objects.filter(status="published")
    assert published.count() == counts["risk_points_published"] > 0
    assert all(p.reviewed_by_id != p.created_by_id for p in published)
    assert AuditLog.objects.filter(verb="tracing.case.detect").count() == expected
    assert AuditLog.objects.filter(verb="tracing.demo.seed").count() == 1
