"""Exemptions (who may be exempted, by whom, audited) and the tube alert job (raised after
the policy's hours, resolved when the tube arrives or its result does, idempotent)."""

from __future__ import annotations

import datetime as dt

import pytest

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.testing import coverage
from fangkong.testing.actions_exempt import do_add_exemption, do_remove_exemption
from fangkong.testing.models import (
    Alert,
    Campaign,
    CampaignStatus,
    Exemption,
    Sample,
    ScreeningPolicy,
    Tube,
)
from fangkong.testing.tasks import TubeTimes, do_check_alerts, overdue
from tests.testing.builders import Round

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _add(rnd: Round, user: str, person: Person, reason: str = "away", note: str = ""
         ) -> Exemption:
    return do_add_exemption(actor=actor_for(rnd.users[user]), campaign_id=rnd.campaign.pk,
                            person_id=person.pk, reason=reason, note=note)


def test_exemption_accounts_for_the_resident_and_is_audited(rnd: Round) -> None:
    person = rnd.city.districts[0].persons[0]
    exemption = _add(rnd, "organiser1", person, "hospital", "  第四医院  ")
    assert (exemption.reason, exemption.note, exemption.grid_id) == (
        "hospital", "第四医院", person.grid_id)
    admin = actor_for(rnd.users["admin"])
    counts = coverage.totals(rnd.campaign, actor=admin, node=rnd.city.unit)
    assert (counts.exempt, counts.untested) == (1, 15)
    log = AuditLog.objects.get(verb="screening.exemption.add")
    assert log.target_id == str(exemption.pk) and log.grid_id == person.grid_id
    do_remove_exemption(actor=actor_for(rnd.users["organiser1"]), campaign_id=rnd.campaign.pk,
                        exemption_id=exemption.pk)
    assert not Exemption.objects.exists()
    assert AuditLog.objects.filter(verb="screening.exemption.remove",
                                   target_id=str(exemption.pk)).exists()


def test_exemption_refusals(rnd: Round) -> None:
    d1 = rnd.city.districts[0]
    person = d1.persons[1]
    with pytest.raises(DomainError) as bad:
        _add(rnd, "organiser1", person, "bored")
    assert bad.value.field == "reason"
    with pytest.raises(DomainError) as bad:
        _add(rnd, "organiser1", person, "other")
    assert bad.value.field == "note"
    with pytest.raises(DomainError) as bad:
        _add(rnd, "organiser1", person, "away", "x" * 201)
    assert bad.value.field == "note"
    _add(rnd, "organiser1", person)
    with pytest.raises(Conflict):
        _add(rnd, "organiser1", person, "hospital")
    assert Exemption.objects.count() == 1


def test_no_exemption_for_the_sampled_visitors_or_inactive(rnd: Round) -> None:
    d1 = rnd.city.districts[0]
    sampled, visitor, gone = d1.persons[2], d1.persons[3], d1.persons[4]
    sample = Sample(campaign=rnd.campaign, tube=rnd.tubes[rnd.sites[0].pk][0], person=sampled,
                    sampled_at=rnd.campaign.starts_at)
    sample.place_in(sampled.grid)  # type: ignore[arg-type]
    sample.save()
    with pytest.raises(Conflict):
        _add(rnd, "organiser1", sampled)
    Person.objects.filter(pk=visitor.pk).update(temporary=True)
    Person.objects.filter(pk=gone.pk).update(inactive_since=dt.date(2022, 3, 1))
    for person in (visitor, gone):
        with pytest.raises(DomainError) as bad:
            _add(rnd, "organiser1", person)
        assert bad.value.field == "person_id"
    assert not Exemption.objects.exists()


def test_exemption_scope_and_rights(rnd: Round) -> None:
    d1 = rnd.city.districts[0]
    with pytest.raises(NotFound):  # the other district's officer cannot reach the resident
        _add(rnd, "organiser2", d1.persons[0])
    with pytest.raises(PermissionDenied):  # a grid worker views, does not manage
        _add(rnd, "grid1", d1.persons[0])
    exemption = _add(rnd, "organiser1", d1.persons[0])
    with pytest.raises(NotFound):
        do_remove_exemption(actor=actor_for(rnd.users["organiser2"]),
                            campaign_id=rnd.campaign.pk, exemption_id=exemption.pk)
    Campaign.objects.filter(pk=rnd.campaign.pk).update(status=CampaignStatus.CLOSED)
    with pytest.raises(Conflict):
        do_remove_exemption(actor=actor_for(rnd.users["organiser1"]),
                            campaign_id=rnd.campaign.pk, exemption_id=exemption.pk)
    with pytest.raises(Conflict):
        _add(rnd, "organiser1", d1.persons[1])
    assert Exemption.objects.count() == 1


def test_person_outside_the_rounds_areas_cannot_be_exempted(rnd: Round) -> None:
    rnd.campaign.areas.filter(unit=rnd.city.districts[1].unit).delete()
    with pytest.raises(DomainError) as bad:
        _add(rnd, "admin", rnd.city.districts[1].persons[0])
    assert bad.value.field == "person_id"


T0 = dt.datetime(2022, 4, 1, 8, tzinfo=dt.UTC)


def test_overdue_decides_from_times_alone() -> None:
    tubes = [TubeTimes(1, T0, None, None), TubeTimes(2, T0, T0 + H, None),
             TubeTimes(3, T0, T0 + H, T0 + 3 * H), TubeTimes(4, None, None, None),
             TubeTimes(5, T0 + 2 * H, None, None)]
    due = overdue(tubes, now=T0 + 4 * H + dt.timedelta(seconds=1), receipt_hours=4,
                  result_hours=12)
    assert due == {("not_received", 1)}
    assert overdue(tubes, now=T0 + 4 * H, receipt_hours=4, result_hours=12) == set()
    late = overdue(tubes, now=T0 + 13 * H, receipt_hours=4, result_hours=12)
    assert late == {("not_received", 1), ("result_late", 1), ("result_late", 2),
                    ("not_received", 5)}  # tube 5 was sealed 11 h ago: its result is not late


def _seal(tube: Tube, at: dt.datetime) -> None:
    Tube.objects.filter(pk=tube.pk).update(status="sealed", sealed_at=at)


def test_alert_job_raises_resolves_and_is_idempotent(rnd: Round) -> None:
    start = rnd.campaign.starts_at
    first, second = rnd.tubes[rnd.sites[0].pk][:2]
    other_district = rnd.tubes[rnd.sites[2].pk][0]
    for tube in (first, second, other_district):
        _seal(tube, start)
    assert do_check_alerts(now=start + 3 * H).raised == 0
    change = do_check_alerts(now=start + 5 * H)
    assert (change.raised, change.resolved) == (3, 0)
    assert do_check_alerts(now=start + 5 * H + H).raised == 0  # idempotent
    assert Alert.objects.count() == 3
    alert = Alert.objects.get(tube=first)
    assert (alert.kind, alert.grid_id, alert.resolved_at) == ("not_received",
                                                              first.grid_id, None)
    Tube.objects.filter(pk=first.pk).update(received_at=start + 6 * H, status="received")
    change = do_check_alerts(now=start + 7 * H)
    assert (change.raised, change.resolved) == (0, 1)
    assert Alert.objects.get(tube=first).resolved_at == start + 7 * H
    change = do_check_alerts(now=start + 13 * H)  # no result 12 h after sealing
    assert change.raised == 3
    assert Alert.objects.filter(kind="result_late", resolved_at__isnull=True).count() == 3
    Tube.objects.filter(pk=first.pk).update(resulted_at=start + 14 * H, result="negative")
    assert do_check_alerts(now=start + 15 * H) == type(change)(raised=0, resolved=1)
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 4
    assert AuditLog.objects.filter(verb="screening.alerts.check").count() == 4


def test_alert_hours_come_from_the_rounds_policy(rnd: Round) -> None:
    policy = ScreeningPolicy.objects.create(name="快", effective_from=dt.date(2020, 1, 1),
                                            params={"receipt_hours": 1, "result_hours": 2})
    Campaign.objects.filter(pk=rnd.campaign.pk).update(policy=policy)
    tube = rnd.tubes[rnd.sites[0].pk][0]
    _seal(tube, rnd.campaign.starts_at)
    assert do_check_alerts(now=rnd.campaign.starts_at + 90 * dt.timedelta(minutes=1)).raised == 1
    assert do_check_alerts(now=rnd.campaign.starts_at + 3 * H).raised == 1


def test_planned_round_is_not_checked(rnd: Round) -> None:
    Campaign.objects.filter(pk=rnd.campaign.pk).update(status=CampaignStatus.PLANNED)
    _seal(rnd.tubes[rnd.sites[0].pk][0], rnd.campaign.starts_at)
    assert do_check_alerts(now=rnd.campaign.starts_at + 30 * H).raised == 0
