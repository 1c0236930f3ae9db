"""The scheduled jobs run their actions (called the way the worker calls them)."""

from fangkong.quarantine.models import AlertKind, QuarantineAlert
from fangkong.quarantine.tasks import capacity_alerts, complete_due
from tests.factories import City
from tests.quarantine.builders import make_facility


def test_capacity_job_flags_a_district_short_of_its_reserve(city: City) -> None:
    make_facility(unit=city.districts[0].unit, rooms=0, family_rooms=0)
    capacity_alerts.call_local()
    capacity_alerts.call_local()
    alerts = QuarantineAlert.objects.filter(kind=AlertKind.CAPACITY, resolved_at__isnull=True)
    assert alerts.count() == 2  # both districts: 8 residents need 1 room of reserve, none usable


def test_completion_job_runs_on_an_empty_city(city: City) -> None:
    complete_due.call_local()
    assert not QuarantineAlert.objects.exists()
