"""Where a ticket goes, from the registry: the place of the matter first, then the caller's
home. A building places the ticket at the building's own place (its grid when it has one), a
street chosen by hand at that street, a known person at their household's building (or the
person's own place). With none of these the ticket is Placed nowhere: only city-wide users see
it, in the "to route" queue, until an agent routes it by hand (``tickets.do_route_ticket``).

Placing at the finest unit known lets the grid, community, street and district above all see
the ticket through ``core.jurisdiction.scope`` with one indexed equality."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level, Placed
from fangkong.core.rights import Right
from fangkong.hotline.models import Ticket
from fangkong.registry.models import Building, Person
from fangkong.risk.models import RequestChannel, SupplyRequest
from fangkong.risk.requests import active_area_of, do_create_request


@dataclass(frozen=True)
class Route:
    """The four place columns a ticket gets, and what decided them ('' when unrouted)."""

    district_id: int | None
    street_id: int | None
    community_id: int | None
    grid_id: int | None
    via: str

    @property
    def routed(self) -> bool:
        return self.street_id is not None

    def apply(self, row: Placed) -> None:
        row.district_id, row.street_id = self.district_id, self.street_id
        row.community_id, row.grid_id = self.community_id, self.grid_id


UNROUTED = Route(None, None, None, None, "")


def _of(place: Placed, via: str) -> Route:
    return Route(place.district_id, place.street_id, place.community_id, place.grid_id, via)


def route_of(*, building: Building | None = None, street: AdminUnit | None = None,
             person: Person | None = None) -> Route:
    """The route of a ticket about ``building`` / in ``street`` / from ``person``. A place
    known only above the street (a district) does not route: a street must answer."""
    if building is not None and building.street_id is not None:
        return _of(building, "building")
    if street is not None:
        return street_route(street)
    if person is not None:
        home = person.household.building if person.household is not None else None
        if home is not None and home.street_id is not None:
            return _of(home, "person")
        if person.street_id is not None:
            return _of(person, "person")
    return UNROUTED


def street_route(unit: AdminUnit) -> Route:
    """A unit chosen by hand: a street, or a finer unit (its street answers)."""
    if unit.level < Level.STREET:
        raise DomainError(_("choose a street (or a community or grid of one)"),
                          field="street_id")
    return _of(unit, "street")


SUPPLY_KINDS = {"supply": "groceries", "medical": "medicine"}
SEALING_LEVELS = ("sealed", "controlled")


def request_kind(*, category: str, urgency: int) -> str | None:
    """The risk request a ticket of this category becomes (an urgent medical need is an
    emergency); None for the categories that are no request."""
    if category == "medical" and urgency == 0:
        return "emergency"
    return SUPPLY_KINDS.get(category)


def link_supply_request(*, ticket: Ticket, actor: Actor) -> SupplyRequest | None:
    """Inside the opening's transaction: a supply or medical ticket from a household inside
    an active sealed or controlled area becomes that household's request too (channel
    hotline), filed through risk's own action so its deadline, priority and audit are risk's.
    The hotline's intake is the delegation: the request is filed at the household's street
    with ``risk.support`` for this one call."""
    kind = request_kind(category=ticket.category, urgency=ticket.urgency)
    person = ticket.person
    if kind is None or person is None or person.household_id is None:
        return None
    household = person.household
    assert household is not None
    area = active_area_of(household)
    if area is None or area.level not in SEALING_LEVELS or household.street is None:
        return None
    filer = Actor(user_id=ticket.created_by_id, username=actor.username or "hotline",
                  unit=household.street, rights=frozenset({Right.RISK_SUPPORT}), ip=actor.ip)
    req = do_create_request(actor=filer, household_id=household.pk, kind=kind,
                            details=f"{ticket.number}: {ticket.subject}\n{ticket.description}"
                            .strip()[:1000], person_id=person.pk, priority=ticket.urgency,
                            channel=RequestChannel.HOTLINE, client_key=f"ticket-{ticket.number}")
    ticket.supply_request = req
    ticket.save(update_fields=["supply_request"])
    return req
