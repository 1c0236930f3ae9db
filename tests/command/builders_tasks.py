"""Directive and task states for the tests: the HQ and street users of the two-district
city, a second street in district 1 (for "every street of a district"), and directives
issued through the real action at a chosen time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User

from fangkong.command.directives import DirectiveInput, do_issue_directive
from fangkong.command.models import Directive
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, Level
from fangkong.testing.demo_steps import at
from tests.factories import City, add_unit, make_user


@dataclass
class Cast:
    commander: User
    officer1: User
    officer2: User
    street1: User
    street1b: User
    street2: User
    street_1a: AdminUnit
    street_1b: AdminUnit
    street_2a: AdminUnit

    def actor(self, name: str) -> Actor:
        return actor_for(getattr(self, name))


def first_street(district: AdminUnit) -> AdminUnit:
    return AdminUnit.objects.filter(parent=district, level=Level.STREET).order_by("code")[0]


def task_cast(city: City) -> Cast:
    """commander (city HQ), officer1/2 (district HQs), street1 and street1b (the two streets
    of district 1), street2 (district 2's street)."""
    d1, d2 = (d.unit for d in city.districts)
    s1a, s2a = first_street(d1), first_street(d2)
    s1b = add_unit(parent=d1, level=Level.STREET, code=f"{d1.code}002", name="1区二街道",
                   name_en="Street 1b")
    return Cast(
        commander=make_user("commander", unit=city.unit, roles=["commander"]),
        officer1=make_user("officer1", unit=d1, roles=["district_officer"]),
        officer2=make_user("officer2", unit=d2, roles=["district_officer"]),
        street1=make_user("street1", unit=s1a, roles=["street_worker"]),
        street1b=make_user("street1b", unit=s1b, roles=["street_worker"]),
        street2=make_user("street2", unit=s2a, roles=["street_worker"]),
        street_1a=s1a, street_1b=s1b, street_2a=s2a)


def issue(actor: Actor, units: list[AdminUnit], *, hours: float = 24,
          when: dt.datetime | None = None, title: str = "全员核酸筛查",
          group: str = "testing") -> Directive:
    """A directive issued at ``when`` (default now) due ``hours`` later."""
    moment = when or clock.now()
    with at(moment):
        return do_issue_directive(actor=actor, data=DirectiveInput(
            title=title, body="今日完成", group=group,
            deadline=moment + dt.timedelta(hours=hours),
            unit_ids=tuple(u.pk for u in units)))
