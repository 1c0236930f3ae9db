"""Lifting by policy: the daily job proposes, a person approves, the conditions are checked
again at decision time, and nothing is lowered or lifted without an approval."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from fangkong.core.errors import Conflict, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.risk import actions_area as acts
from fangkong.risk.evidence import last_negative_round_day
from fangkong.risk.lifting import do_decide_proposal, do_propose_due
from fangkong.risk.models import AreaStatus, EventKind, LiftProposal, ProposalStatus, RiskArea
from fangkong.testing.models import Campaign, Exemption, Sample, Tube
from tests.factories import City
from tests.risk.builders import make_area, risk_users
from tests.risk.test_areas import make_case

START = dt.datetime(2022, 7, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in the city, 9th edition


@pytest.fixture
def users(city: City) -> dict[str, Actor]:
    return {name: actor_for(user) for name, user in risk_users(city).items()}


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], dt.date]:
    """Set the clock; returns the city's day at that moment."""

    def move(moment: dt.datetime) -> dt.date:
        monkeypatch.setattr("fangkong.core.clock.now", lambda: moment)
        return (moment + dt.timedelta(hours=8)).date()

    return move


def day(n: int, start: dt.datetime = START) -> dt.datetime:
    return start + dt.timedelta(days=n)


def sealed_area(city: City, *, start: dt.datetime = START, policy: str | None = None,
                level: str = "sealed", grid: int = 0) -> RiskArea:
    return make_area(unit=city.districts[0].grids[grid], level=level, started_at=start,
                     code=f"RA-T{grid}{level[:2]}", policy_name=policy)


def pending(area: RiskArea) -> LiftProposal | None:
    return area.proposals.filter(status=ProposalStatus.PENDING).first()


def test_the_job_proposes_once_and_only_a_person_lowers(city: City, users: dict[str, Actor],
                                                        move_to) -> None:  # type: ignore[no-untyped-def]
    area = sealed_area(city)
    assert do_propose_due(today=move_to(day(6)))["proposed"] == 0
    assert do_propose_due(today=move_to(day(7)))["proposed"] == 1
    assert do_propose_due(today=move_to(day(7)))["kept"] == 1  # still one pending
    proposal = pending(area)
    assert proposal is not None and proposal.to_level == "controlled"
    assert proposal.evidence["clean_days"] == 7 and proposal.evidence["version"].startswith("9th")
    area.refresh_from_db()
    assert area.level == "sealed"  # nothing changes before the approval
    do_decide_proposal(actor=users["officer1"], proposal_id=proposal.pk, approve=True, note="ok")
    area.refresh_from_db()
    assert area.level == "controlled" and area.status == AreaStatus.ACTIVE
    assert area.events.filter(kind=EventKind.DOWNGRADED).count() == 1
    assert AuditLog.objects.filter(verb="risk.area.lower", target_id=str(area.pk)).exists()
    # downgraded from sealed: 3 clean days to lift
    assert do_propose_due(today=move_to(day(9)))["proposed"] == 0
    assert do_propose_due(today=move_to(day(10)))["proposed"] == 1
    lift = pending(area)
    assert lift is not None and lift.to_level == ""
    do_decide_proposal(actor=users["officer1"], proposal_id=lift.pk, approve=True)
    area.refresh_from_db()
    assert area.status == AreaStatus.LIFTED and area.lifted_at == day(10)


def test_a_linked_case_withdraws_the_pending_proposal(city: City, users: dict[str, Actor],
                                                      move_to) -> None:  # type: ignore[no-untyped-def]
    area = sealed_area(city)
    do_propose_due(today=move_to(day(7)))
    proposal = pending(area)
    assert proposal is not None
    case = make_case(city.districts[1].persons[0], at=day(7))  # not a member: linked by hand
    admin = users["admin"]
    acts.do_link_case(actor=admin, area_id=area.pk, case_id=case.pk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN and pending(area) is None
    assert do_propose_due(today=move_to(day(13)))["proposed"] == 0  # count restarted
    assert do_propose_due(today=move_to(day(14)))["proposed"] == 1


def test_approval_rechecks_the_conditions(city: City, users: dict[str, Actor],
                                          move_to) -> None:  # type: ignore[no-untyped-def]
    area = sealed_area(city)
    do_propose_due(today=move_to(day(7)))
    proposal = pending(area)
    assert proposal is not None
    make_case(city.districts[0].persons[0], at=day(7, START) + dt.timedelta(hours=1))
    move_to(day(7) + dt.timedelta(hours=2))
    with pytest.raises(Conflict) as err:
        do_decide_proposal(actor=users["officer1"], proposal_id=proposal.pk, approve=True)
    assert "clean days" in err.value.message
    area.refresh_from_db()
    proposal.refresh_from_db()
    assert area.level == "sealed" and proposal.status == ProposalStatus.PENDING
    assert do_propose_due(today=move_to(day(7, START) + dt.timedelta(hours=3)))["withdrawn"] == 1


def test_deciding_needs_the_right_and_the_scope(city: City, users: dict[str, Actor],
                                                move_to) -> None:  # type: ignore[no-untyped-def]
    area = sealed_area(city)
    do_propose_due(today=move_to(day(7)))
    proposal = pending(area)
    assert proposal is not None
    with pytest.raises(NotFound):
        do_decide_proposal(actor=users["officer2"], proposal_id=proposal.pk, approve=True)
    with pytest.raises(PermissionDenied):
        do_decide_proposal(actor=users["grid1"], proposal_id=proposal.pk, approve=True)
    do_decide_proposal(actor=users["commander"], proposal_id=proposal.pk, approve=False,
                       note="wait for the round")
    proposal.refresh_from_db()
    area.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED and area.level == "sealed"
    with pytest.raises(Conflict):
        do_decide_proposal(actor=users["commander"], proposal_id=proposal.pk, approve=True)


def _round(members: list[Person], *, at: dt.datetime, results: list[str],
           code: str = "R1") -> Campaign:
    campaign = Campaign.objects.create(code=code, name=code, starts_at=at, ends_at=at,
                                       created_at=at)
    for i, (person, result) in enumerate(zip(members, results, strict=True)):
        if result == "exempt":
            Exemption.objects.create(campaign=campaign, person=person, reason="away",
                                     created_at=at)
            continue
        tube = Tube.objects.create(campaign=campaign, code=f"{code}-{i}", capacity=1,
                                   result=result)
        sample = Sample(campaign=campaign, tube=tube, person=person, sampled_at=at)
        assert person.grid is not None
        sample.place_in(person.grid)
        sample.save()
    return campaign


def test_old_zones_wait_for_a_negative_round_of_every_member(city: City, users: dict[str, Actor],
                                                             move_to) -> None:  # type: ignore[no-untyped-def]
    start = dt.datetime(2022, 3, 1, 2, 0, tzinfo=dt.UTC)
    area = sealed_area(city, start=start, policy="封控/管控/防范 (before the 9th edition)")
    members = city.districts[0].persons[:4]
    assert do_propose_due(today=move_to(day(14, start)))["proposed"] == 0  # no round
    _round(members, at=day(13, start), results=["negative", "negative", "negative", ""])
    assert do_propose_due(today=move_to(day(14, start)))["proposed"] == 0  # one pending
    _round(members, at=day(13, start), results=["negative", "negative", "positive", "exempt"],
           code="R2")
    assert do_propose_due(today=move_to(day(14, start)))["proposed"] == 0  # a positive
    _round(members, at=day(14, start), results=["negative", "negative", "negative", "exempt"],
           code="R3")
    assert last_negative_round_day(area, since=day(0, start).date()) == day(14, start).date()
    assert do_propose_due(today=move_to(day(14, start)))["proposed"] == 1
    proposal = pending(area)
    assert proposal is not None and proposal.to_level == ""
    assert proposal.evidence["round_day"] == str(day(14, start).date())
    assert do_propose_due(today=move_to(day(17, start)))["withdrawn"] == 1  # round too old


def test_a_case_found_in_quarantine_does_not_reset_under_the_twenty_measures(
        city: City, move_to) -> None:  # type: ignore[no-untyped-def]
    start = dt.datetime(2022, 11, 20, 2, 0, tzinfo=dt.UTC)
    area = sealed_area(city, start=start)
    make_case(city.districts[0].persons[0], at=day(3, start), found_in="quarantine")
    assert do_propose_due(today=move_to(day(5, start)))["proposed"] == 1
    make_case(city.districts[0].persons[1], at=day(5, start) + dt.timedelta(hours=1))
    assert do_propose_due(today=move_to(day(5, start) + dt.timedelta(hours=2)))["withdrawn"] == 1
    assert pending(area) is None


def test_precaution_lifts_only_with_the_last_higher_area_of_its_district(
        city: City, users: dict[str, Actor], move_to) -> None:  # type: ignore[no-untyped-def]
    sealed = sealed_area(city)
    precaution = sealed_area(city, level="precaution", grid=1)
    move_to(day(1))
    do_propose_due(today=move_to(day(1)))
    assert pending(precaution) is None
    sealed.status = AreaStatus.LIFTED
    sealed.save()
    do_propose_due(today=move_to(day(2)))
    proposal = pending(precaution)
    assert proposal is not None and proposal.evidence["by_district"] is True
