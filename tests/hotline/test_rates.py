"""Rates per unit: the one GROUP BY equals a recount in Python over random tickets, the
drill-down from the city to a district's streets, the period's edges, and scoping."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.hotline import rates
from fangkong.hotline.followup import rules_for
from fangkong.hotline.logic import Rates, share
from fangkong.hotline.models import Ticket, TicketStatus
from tests.factories import City, add_unit
from tests.hotline.builders_followup import NOV_20, Clock, new_ticket, set_clock
from tests.hotline.builders_tickets import actors, street_of

__all__ = ["set_clock"]
MIN = dt.timedelta(minutes=1)
DAY = dt.date(2022, 11, 20)


@pytest.fixture
def streets(city: City, set_clock: Clock) -> list[AdminUnit]:
    """District 1's street, a second street of district 1, district 2's street."""
    set_clock(NOV_20 + 12 * 60 * MIN)
    d1 = city.districts[0].unit
    second = add_unit(parent=d1, level=Level.STREET, code="610101002", name="1区二街道",
                      name_en="Street 1-2")
    return [street_of(city, 0), second, street_of(city, 1)]


@pytest.fixture
def who(city: City) -> dict[str, Actor]:
    return actors(city)


def recount(tickets: list[Ticket], now: dt.datetime) -> Rates:
    """The definitions of ``rates``, ticket by ticket."""
    n = len(tickets)
    respond_due = [t for t in tickets if t.first_response_at or t.respond_by < now]
    respond_ok = [t for t in respond_due if t.first_response_at
                  and t.first_response_at <= t.respond_by]
    resolve_due = [t for t in tickets if t.resolved_at or t.resolve_by < now]
    resolve_ok = [t for t in resolve_due if t.resolved_at and t.resolved_at <= t.resolve_by]
    done = [t for t in tickets if t.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)]
    rated = [t.satisfaction for t in tickets if t.satisfaction is not None]
    satisfied = [t for t in tickets if t.satisfaction is not None
                 and t.satisfaction >= rules_for(t.policy_name).satisfied_at_least]
    return Rates(tickets=n, responded_in_time=share(len(respond_ok), len(respond_due)),
                 resolved_in_time=share(len(resolve_ok), len(resolve_due)),
                 resolved=share(len(done), n), satisfaction=share(len(satisfied), len(rated)),
                 mean_score=sum(rated) / len(rated) if rated else None)


def _same(a: Rates, b: Rates) -> bool:
    return all(x == y if x is None or y is None else abs(x - y) < 1e-9
               for x, y in zip(vars(a).values(), vars(b).values(), strict=True))


def random_ticket(rng: random.Random, street: AdminUnit | None) -> Ticket:
    at = NOV_20 + rng.randint(-600, 600) * MIN
    responded = rng.choice([None, at + rng.randint(1, 90) * MIN])
    status = rng.choice(list(TicketStatus))
    resolved = at + rng.randint(1, 600) * MIN if status in ("resolved", "closed") else None
    score = rng.choice([None, 1, 2, 3, 4, 5]) if status == "closed" else None
    return new_ticket(street=street, at=at, category=rng.choice(["supply", "code", "medical"]),
                      policy=rng.choice(["hotline-2021-10", "hotline-2022-11"]), status=status,
                      first_response_at=responded or resolved, resolved_at=resolved,
                      satisfaction=score)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), count=st.integers(0, 40))
def test_rates_equal_a_recount(who: dict[str, Actor], streets: list[AdminUnit], seed: int,
                               count: int) -> None:
    Ticket.objects.all().delete()
    rng = random.Random(seed)
    for _ in range(count):
        random_ticket(rng, rng.choice([*streets, None]))
    agent, officer1 = who["agent"], who["officer1"]
    now = NOV_20 + 12 * 60 * MIN
    table = rates.rates_table(actor=agent, since=DAY, until=DAY)
    in_day = [t for t in Ticket.objects.all() if t.created_at.astimezone(
        dt.timezone(dt.timedelta(hours=8))).date() == DAY]
    assert _same(table.total, recount(in_day, now))
    for row in table.rows:
        mine = [t for t in in_day if t.district_id == (row.unit.pk if row.unit else None)]
        assert _same(row.rates, recount(mine, now)), row.unit
    streets_table = rates.rates_table(actor=officer1, since=DAY, until=DAY)
    for row in streets_table.rows:
        mine = [t for t in in_day if t.street_id == (row.unit.pk if row.unit else None)
                and t.district_id == officer1.unit.pk]  # type: ignore[union-attr]
        assert _same(row.rates, recount(mine, now)), row.unit


def test_drill_down_and_scoping(city: City, streets: list[AdminUnit]) -> None:
    for street in streets:
        new_ticket(street=street, at=NOV_20)
    who = actors(city)
    city_table = rates.rates_table(actor=who["agent"], since=DAY, until=DAY)
    assert [r.unit for r in city_table.rows] == [d.unit for d in city.districts]
    assert [r.rates.tickets for r in city_table.rows] == [2, 1] and city_table.drillable
    d1 = city.districts[0].unit
    down = rates.rates_table(actor=who["agent"], since=DAY, until=DAY, unit_id=d1.pk)
    assert [r.unit for r in down.rows] == streets[:2] and not down.drillable
    own = rates.rates_table(actor=who["officer1"], since=DAY, until=DAY)
    assert [r.rates.tickets for r in own.rows] == [1, 1] and own.total.tickets == 2
    at_street = rates.rates_table(actor=who["street1"], since=DAY, until=DAY)
    assert [r.unit for r in at_street.rows] == [streets[0]] and at_street.total.tickets == 1
    with pytest.raises(NotFound):
        rates.rates_table(actor=who["officer2"], since=DAY, until=DAY, unit_id=d1.pk)
    assert rates.rates_table(actor=who["officer2"], since=DAY, until=DAY).total.tickets == 1


def test_period_edges_are_city_days(city: City, streets: list[AdminUnit]) -> None:
    # 2022-11-19 16:00 UTC is midnight of the 20th in the city (Asia/Shanghai)
    new_ticket(street=streets[0], at=dt.datetime(2022, 11, 19, 15, 59, tzinfo=dt.UTC))
    new_ticket(street=streets[0], at=dt.datetime(2022, 11, 19, 16, 0, tzinfo=dt.UTC))
    agent = actors(city)["agent"]
    assert rates.rates_table(actor=agent, since=DAY, until=DAY).total.tickets == 1
    with pytest.raises(DomainError) as caught:
        rates.rates_table(actor=agent, since=DAY, until=DAY - dt.timedelta(days=1))
    assert caught.value.field == "until"


def test_sorting_puts_unmeasured_last(city: City, streets: list[AdminUnit]) -> None:
    new_ticket(street=streets[0], at=NOV_20, first_response_at=NOV_20 + MIN)
    new_ticket(street=streets[1], at=NOV_20, first_response_at=NOV_20 + 99 * MIN)
    table = rates.rates_table(actor=actors(city)["officer1"], since=DAY, until=DAY)
    best = rates.sort_rows(table.rows, key="responded_in_time", descending=True)
    assert [r.rates.responded_in_time for r in best] == [1.0, 0.0]
    with pytest.raises(DomainError):
        rates.sort_rows(table.rows, key="bogus", descending=False)
