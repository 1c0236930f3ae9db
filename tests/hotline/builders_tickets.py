"""Users and tickets for the hotline's intake tests, built with the real actions."""

from __future__ import annotations

from django.contrib.auth.models import User

from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit
from fangkong.hotline import tickets
from fangkong.hotline.models import Ticket
from tests.factories import City, make_user


def street_of(city: City, index: int = 0) -> AdminUnit:
    return AdminUnit.objects.get(pk=city.districts[index].grids[0].street_id)


def hotline_users(city: City) -> dict[str, User]:
    """An agent at the city, the street worker and officer of each district, the commander."""
    d1, d2 = city.districts
    return {
        "agent": make_user("hotline1", unit=city.unit, roles=["hotline_agent"]),
        "street1": make_user("street1", unit=street_of(city, 0), roles=["street_worker"]),
        "street2": make_user("street2", unit=street_of(city, 1), roles=["street_worker"]),
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
        "officer2": make_user("officer2", unit=d2.unit, roles=["district_officer"]),
        "commander": make_user("commander", unit=city.unit, roles=["commander"]),
    }


def actors(city: City) -> dict[str, Actor]:
    return {name: actor_for(user) for name, user in hotline_users(city).items()}


def take_call(agent: Actor, **fields: object) -> Ticket:
    """A phone call with sensible defaults; ``fields`` override them."""
    values: dict[str, object] = {"category": "other", "subject": "Noise at night",
                                 "caller_name": "Caller", "caller_phone": "13811112222"}
    values.update(fields)
    return tickets.do_take_call(actor=agent, **values)  # type: ignore[arg-type]
