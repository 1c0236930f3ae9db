"""Intake on every channel: the number, the deadlines of the policy in force, the events and
audit row in the same transaction, a resent form stored once, bad input named by field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.healthcode.resident import resident_token
from fangkong.hotline import tickets
from fangkong.hotline.models import Channel, Ticket, TicketEvent, TicketStatus
from tests.factories import City
from tests.hotline.builders_tickets import actors, street_of, take_call

SH = dt.timezone(dt.timedelta(hours=8))
NOV = dt.datetime(2022, 11, 24, 9, 0, tzinfo=SH)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    times = [NOV]
    monkeypatch.setattr("fangkong.core.clock.now", lambda: times[-1])
    return times


def test_a_call_is_numbered_timed_and_recorded(city: City, clock: list[dt.datetime]) -> None:
    agent = actors(city)["agent"]
    ticket = take_call(agent, category="medical", subject="Insulin runs out tomorrow",
                       building_id=city.districts[0].buildings[0].pk)
    assert ticket.number == "12345-20221124-000001"
    assert ticket.channel == Channel.PHONE and ticket.status == TicketStatus.NEW
    # The November 2022 version: medical is urgent, 10 minutes to respond, 60 to resolve.
    assert ticket.policy_name == "hotline-2022-11" and ticket.urgency == 0
    assert ticket.respond_by == NOV + dt.timedelta(minutes=10)
    assert ticket.resolve_by == NOV + dt.timedelta(minutes=60)
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["created", "routed"]
    row = AuditLog.objects.get(verb=tickets.OPEN_VERB)
    assert row.target_id == str(ticket.pk) and row.actor_name == "hotline1"
    assert row.street_id == ticket.street_id  # the audit row is placed with the ticket


def test_the_policy_of_the_opening_day_sets_the_deadlines(city: City,
                                                          clock: list[dt.datetime]) -> None:
    clock.append(dt.datetime(2022, 5, 1, 9, 0, tzinfo=SH))
    ticket = take_call(actors(city)["agent"], category="supply", subject="No vegetables")
    assert ticket.policy_name == "hotline-2021-10"
    assert ticket.resolve_by - ticket.created_at == dt.timedelta(minutes=480)


def test_numbers_count_per_day_in_the_city_zone(city: City, clock: list[dt.datetime]) -> None:
    agent = actors(city)["agent"]
    first, second = take_call(agent), take_call(agent)
    clock.append(dt.datetime(2022, 11, 24, 23, 59, tzinfo=SH))
    third = take_call(agent)
    clock.append(dt.datetime(2022, 11, 25, 0, 1, tzinfo=SH))  # 16:01 UTC of the 24th
    fourth = take_call(agent)
    assert [t.number[-6:] for t in (first, second, third)] == ["000001", "000002", "000003"]
    assert fourth.number == "12345-20221125-000001"
    assert Ticket.objects.values("number").distinct().count() == 4


def test_a_number_taken_meanwhile_is_skipped(city: City, clock: list[dt.datetime],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The race: another opening stored the number read; the insert fails and reads again."""
    agent = actors(city)["agent"]
    first = take_call(agent)
    real = tickets.next_number
    calls: list[str] = []

    def stale(day: dt.date) -> str:
        calls.append("x")
        return first.number if len(calls) == 1 else real(day)

    monkeypatch.setattr(tickets, "next_number", stale)
    second = take_call(agent)
    assert second.number == "12345-20221124-000002" and len(calls) == 2


def test_agents_only_take_calls(city: City) -> None:
    with pytest.raises(PermissionDenied):
        take_call(actors(city)["street1"])


def test_bad_calls_name_their_field_and_store_nothing(city: City) -> None:
    agent = actors(city)["agent"]
    for fields, field in (({"category": "weather"}, "category"), ({"subject": "  "}, "subject"),
                          ({"urgency": 7}, "urgency"), ({"caller_phone": ""}, "caller_phone"),
                          ({"subject": "x" * 121}, "subject"),
                          ({"street_id": city.districts[0].unit.pk}, "street_id")):
        with pytest.raises(DomainError) as bad:
            take_call(agent, **fields)
        assert bad.value.field == field, fields
    with pytest.raises(NotFound):
        take_call(agent, person_id=999999)
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()


def test_an_agent_raises_urgency_and_shortens_the_deadlines(city: City,
                                                           clock: list[dt.datetime]) -> None:
    ticket = take_call(actors(city)["agent"], category="other", urgency=0)
    # other: 240 / 4320 minutes; urgent: a quarter of each.
    assert ticket.respond_by - NOV == dt.timedelta(minutes=60)
    assert ticket.resolve_by - NOV == dt.timedelta(minutes=1080)


def _web(city: City, *, key: str = "web-key-0001", ip: str = "10.0.0.1") -> Ticket:
    return tickets.do_open_web_ticket(
        street_id=street_of(city).pk, category="testing", subject="Site closed early",
        description="The site at the school closed at 3 pm.", caller_name="Li",
        caller_phone="139 0000 1234", client_key=key, ip=ip)


def test_the_web_form_routes_to_the_street_and_stores_a_resend_once(city: City) -> None:
    first = _web(city)
    again = _web(city)
    assert first.pk == again.pk and Ticket.objects.count() == 1
    assert first.channel == Channel.WEB and first.street_id == street_of(city).pk
    assert first.caller_phone == "13900001234" and first.created_by_id is None
    assert re.fullmatch(r"12345-\d{8}-\d{6}", first.number)


@override_settings(HOTLINE_WEB_PER_HOUR=2)
def test_the_web_form_is_throttled_per_address(city: City, clock: list[dt.datetime]) -> None:
    _web(city, key="web-key-0001")
    _web(city, key="web-key-0002")
    with pytest.raises(Conflict):
        _web(city, key="web-key-0003")
    assert _web(city, key="web-key-0004", ip="10.0.0.2").pk  # another address
    assert _web(city, key="web-key-0001").pk  # a resend is no new message
    clock.append(NOV + dt.timedelta(minutes=61))
    assert _web(city, key="web-key-0005").pk


def test_the_web_form_needs_a_client_key_and_a_phone(city: City) -> None:
    with pytest.raises(DomainError) as keyless:
        _web(city, key="short")
    assert keyless.value.field == "client_key"
    with pytest.raises(DomainError) as phoneless:
        tickets.do_open_web_ticket(street_id=None, category="other", subject="x",
                                   description="", caller_name="", caller_phone="",
                                   client_key="web-key-0009", ip=None)
    assert phoneless.value.field == "caller_phone"


def test_a_resident_writes_from_their_link(city: City) -> None:
    person = city.districts[1].persons[0]
    token = resident_token(person)
    ticket = tickets.do_open_resident_ticket(token=token, category="code",
                                             subject="Pop-up after my test",
                                             description="", client_key="res-key-0001")
    assert ticket.person_id == person.pk and ticket.caller_phone == person.phone
    assert ticket.grid_id == person.grid_id and ticket.routed
    again = tickets.do_open_resident_ticket(token=token, category="code", subject="again",
                                            description="", client_key="res-key-0001")
    assert again.pk == ticket.pk
    for n in (2, 3):
        tickets.do_open_resident_ticket(token=token, category="code", subject=f"n{n}",
                                        description="", client_key=f"res-key-000{n}")
    with pytest.raises(Conflict):
        tickets.do_open_resident_ticket(token=token, category="code", subject="4th",
                                        description="", client_key="res-key-0004")
    with pytest.raises(NotFound):
        tickets.do_open_resident_ticket(token=token + "x", category="code", subject="x",
                                        description="", client_key="res-key-0005")


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.lists(st.integers(min_value=1, max_value=999_998), max_size=5))
def test_the_next_number_follows_the_day_s_last(day: dt.date, taken: list[int]) -> None:
    """Property (pure part): the next number is one above the day's largest, zero-padded so
    that text order is number order."""
    numbers = [f"12345-{day:%Y%m%d}-{n:06d}" for n in taken]
    expected = f"12345-{day:%Y%m%d}-{max(taken, default=0) + 1:06d}"
    assert tickets.format_next(day, max(numbers, default=None)) == expected
