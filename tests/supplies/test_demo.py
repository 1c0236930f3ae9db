"""The supplies demo reports 14 days through the real intake, once however often run, and
leaves the low streets and the price spike as open alerts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fangkong.supplies.demo_supplies import DAYS, seed_supplies
from fangkong.supplies.models import StockReport, SupplyAlert
from tests.factories import City


def test_the_demo_fortnight_is_stored_once_and_shows_alerts(
        city: City, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # as outside a test's transaction
        first = seed_supplies(seed=7)
    assert first["reports"] == 4 * 6 * DAYS == StockReport.objects.count()
    kinds = {(a.kind, a.good) for a in SupplyAlert.objects.filter(status="open")}
    assert {("low_stock", "grain"), ("low_stock", "vegetables"),
            ("price_jump", "meat")} <= kinds
    assert SupplyAlert.objects.count() == 3  # normal days raise nothing
    with django_capture_on_commit_callbacks(execute=True):
        again = seed_supplies(seed=7)
    assert again["reports"] == 0 and again["open_alerts"] == SupplyAlert.objects.count() == 3
