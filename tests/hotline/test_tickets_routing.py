"""Routing from the registry (building, street chosen, person's home; else the city's "to
route" queue and by hand), who sees which ticket, masking, the sealed household's request."""

from __future__ import annotations

import pytest

from fangkong.core.errors import Conflict, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.hotline import queries, tickets
from fangkong.hotline.models import Ticket, TicketEvent, TicketStatus
from fangkong.hotline.queries import TicketFilter
from fangkong.risk.models import RequestChannel, SupplyRequest
from tests.factories import City
from tests.hotline.builders_tickets import actors, street_of, take_call
from tests.risk.builders import make_area


def test_a_building_places_the_ticket_at_its_grid(city: City) -> None:
    building = city.districts[0].buildings[1]
    ticket = take_call(actors(city)["agent"], building_id=building.pk)
    assert ticket.routed and ticket.grid_id == building.grid_id
    assert ticket.street_id == building.street_id
    assert TicketEvent.objects.get(ticket=ticket, kind="routed").data["via"] == "building"


def test_a_person_routes_by_their_household_s_building(city: City) -> None:
    person = city.districts[1].persons[-1]
    ticket = take_call(actors(city)["agent"], person_id=person.pk, caller_phone="",
                       caller_name="")
    assert ticket.grid_id == person.household.building.grid_id
    assert ticket.caller_phone == person.phone and ticket.caller_name == person.name


def test_the_place_of_the_matter_beats_the_caller_s_home(city: City) -> None:
    person = city.districts[1].persons[0]
    street = street_of(city, 0)
    ticket = take_call(actors(city)["agent"], person_id=person.pk, street_id=street.pk)
    assert ticket.street_id == street.pk and ticket.grid_id is None


def test_unrouted_then_routed_by_hand(city: City) -> None:
    a = actors(city)
    ticket = take_call(a["agent"], address="somewhere near the river")
    assert not ticket.routed and ticket.district_id is None
    assert not TicketEvent.objects.filter(ticket=ticket, kind="routed").exists()
    # Only city-wide users see it, in the "to route" queue.
    assert list(queries.tickets_for(a["agent"], filters=TicketFilter(unrouted=True))) == [ticket]
    assert not queries.tickets_for(a["officer1"]).exists()
    with pytest.raises(PermissionDenied):
        tickets.do_route_ticket(actor=a["officer1"], ticket_id=ticket.pk,
                                street_id=street_of(city).pk)
    routed = tickets.do_route_ticket(actor=a["agent"], ticket_id=ticket.pk,
                                     street_id=street_of(city).pk)
    assert routed.routed and routed.street_id == street_of(city).pk
    assert routed.district_id == city.districts[0].unit.pk
    assert queries.tickets_for(a["street1"]).get() == ticket
    assert AuditLog.objects.filter(verb="hotline.ticket.route", target_id=str(ticket.pk)).exists()
    assert TicketEvent.objects.get(ticket=ticket, kind="routed").data["via"] == "hand"


def test_the_second_district_sees_none_of_the_first_s(city: City) -> None:
    a = actors(city)
    ticket = take_call(a["agent"], building_id=city.districts[0].buildings[0].pk)
    for name in ("street1", "officer1", "commander", "agent"):
        assert list(queries.tickets_for(a[name])) == [ticket], name
    for name in ("street2", "officer2"):
        assert not queries.tickets_for(a[name]).exists(), name
        with pytest.raises(NotFound):
            queries.ticket_detail(a[name], ticket_id=ticket.pk)
        with pytest.raises(NotFound):
            tickets.do_respond(actor=a[name], ticket_id=ticket.pk, note="on it")
    assert queries.counts_for(a["officer2"])["total"] == 0
    assert queries.counts_for(a["officer1"])["new"] == 1


def test_phones_are_masked_and_a_full_read_is_audited(city: City) -> None:
    a = actors(city)
    ticket = take_call(a["agent"], building_id=city.districts[0].buildings[0].pk,
                       caller_phone="13812345678")
    detail = queries.ticket_detail(a["officer1"], ticket_id=ticket.pk)
    assert detail.phone == "138****5678" and not detail.can_reveal
    with pytest.raises(PermissionDenied):
        queries.reveal_caller(a["officer1"], ticket_id=ticket.pk)
    assert queries.reveal_caller(a["street1"], ticket_id=ticket.pk) == "13812345678"
    row = AuditLog.objects.get(verb="pii.read")
    assert row.actor_name == "street1" and row.target_id == str(ticket.pk)
    with pytest.raises(NotFound):
        queries.reveal_caller(a["street2"], ticket_id=ticket.pk)


def test_the_street_responds_notes_and_assigns(city: City) -> None:
    a = actors(city)
    ticket = take_call(a["agent"], building_id=city.districts[0].buildings[0].pk)
    responded = tickets.do_respond(actor=a["street1"], ticket_id=ticket.pk,
                                   note="Called the caller, going there")
    assert responded.status == TicketStatus.IN_PROGRESS and responded.first_response_at
    with pytest.raises(Conflict):
        tickets.do_respond(actor=a["street1"], ticket_id=ticket.pk, note="again")
    tickets.do_note(actor=a["agent"], ticket_id=ticket.pk, note="Caller called again")
    street_user = a["street1"]
    assert street_user.user_id is not None
    tickets.do_assign(actor=a["officer1"], ticket_id=ticket.pk, assignee_id=street_user.user_id)
    with pytest.raises(Exception) as wrong:
        tickets.do_assign(actor=a["officer1"], ticket_id=ticket.pk,
                          assignee_id=a["street2"].user_id or 0)
    assert getattr(wrong.value, "field", "") == "assignee_id"
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["created", "routed", "responded", "note", "note"]
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == street_user.user_id


def test_queue_filters(city: City) -> None:
    a = actors(city)
    b = city.districts[0].buildings[0].pk
    medical = take_call(a["agent"], category="medical", building_id=b)
    other = take_call(a["agent"], category="other", building_id=b)
    rows = queries.tickets_for(a["street1"], filters=TicketFilter(category="medical"))
    assert list(rows) == [medical]
    assert list(queries.tickets_for(a["street1"])) == [medical, other]  # nearest deadline first
    with pytest.raises(Exception) as bad:
        queries.tickets_for(a["street1"], filters=TicketFilter(status="lost"))
    assert getattr(bad.value, "field", "") == "status"
    grid2 = city.districts[0].grids[1].pk
    assert not queries.tickets_for(a["street1"], filters=TicketFilter(unit_id=grid2)).exists()
    with pytest.raises(NotFound):
        queries.tickets_for(a["street1"], filters=TicketFilter(unit_id=city.districts[1].unit.pk))


def test_a_sealed_household_s_supply_call_becomes_its_request(city: City) -> None:
    a = actors(city)
    person = city.districts[0].persons[0]
    make_area(unit=city.districts[0].grids[0], level="sealed")
    ticket = take_call(a["agent"], category="supply", subject="No food left", person_id=person.pk)
    req = SupplyRequest.objects.get()
    assert ticket.supply_request_id == req.pk and req.channel == RequestChannel.HOTLINE
    assert req.household_id == person.household_id and req.kind == "groceries"
    assert req.person_id == person.pk and ticket.number in req.details
    assert AuditLog.objects.filter(verb="risk.request.create").exists()
    # A household outside any area, or a category that is no request, files none.
    take_call(a["agent"], category="supply", person_id=city.districts[1].persons[0].pk)
    take_call(a["agent"], category="complaint", person_id=person.pk)
    assert SupplyRequest.objects.count() == 1


def test_an_urgent_medical_call_in_a_controlled_area_is_an_emergency(city: City) -> None:
    agent = actors(city)["agent"]
    person = city.districts[0].persons[0]
    make_area(unit=city.districts[0].grids[0], level="controlled")
    ticket = take_call(agent, category="medical", person_id=person.pk)
    assert ticket.supply_request is not None and ticket.supply_request.kind == "emergency"
    make_area(unit=city.districts[1].grids[0], level="precaution", code="RA-0002")
    other = take_call(agent, category="medical",
                      person_id=city.districts[1].persons[0].pk)
    assert other.supply_request_id is None
