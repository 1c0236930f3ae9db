"""Who goes where at a screening round (pure rules, no Django, no I/O).

Practice (china-practice.md §6): elderly and child lanes at every site (Chaoyang, May 2022),
home sampling for people who cannot come down, single tubes for key groups and sealed
areas, pooled tubes elsewhere. The registry has no "bedridden" or "age" column, so the
choices below map its special-group flags onto those lanes:

* **green channel** (a separate lane, no queue): aged 70 or over, under 6 (or flagged
  infant), disabled, or pregnant. 70 follows the lanes' "elderly" in practice, which is
  older than the registry's 60; under 6 covers pre-school children carried by a parent.
* **door-to-door list** (home sampling): the registry cannot tell who is bedridden, so the
  list errs on the side of visiting: disabled residents, residents over 80 living alone,
  and residents under chronic care. The grid worker strikes off those who come down.
* **single tube**: an open close or secondary contact (last exposure within the quarantine
  period, 14 days: the longest period of the editions in force during the outbreak, so no
  contact still in quarantine is pooled), or anyone in an area whose pool size is 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

GREEN_AGE_FROM = 70
GREEN_AGE_UNDER = 6
OPEN_CONTACT_DAYS = 14
SINGLE_TUBE_CONTACTS = frozenset({"close", "secondary"})
# Registry flags that put a resident on the door-to-door list (a database pre-filter may use
# these names; ``door_reasons`` is the rule itself).
DOOR_FLAGS = ("disabled", "over80_alone", "chronic_care")
GREEN_FLAGS = ("disabled", "pregnant", "infant")


class Resident(Protocol):
    """The registry fields the rules read (a ``Person`` satisfies it)."""

    birth_date: dt.date | None
    disabled: bool
    pregnant: bool
    infant: bool
    over80_alone: bool
    chronic_care: bool


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    """Whole years on ``day``; None when the birth date is unknown (or after ``day``)."""
    if birth is None or birth > day:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def green_reasons(person: Resident, *, on: dt.date) -> list[str]:
    """Why the resident may use the green channel: ``elderly``, ``child`` and the flags."""
    reasons = []
    age = age_on(person.birth_date, on)
    if age is not None and age >= GREEN_AGE_FROM:
        reasons.append("elderly")
    if (age is not None and age < GREEN_AGE_UNDER) or person.infant:
        reasons.append("child")
    reasons += [flag for flag in ("disabled", "pregnant") if getattr(person, flag)]
    return reasons


def green_channel(person: Resident, *, on: dt.date) -> bool:
    return bool(green_reasons(person, on=on))


def door_reasons(person: Resident) -> list[str]:
    """The flags that put the resident on the door-to-door list, in ``DOOR_FLAGS`` order."""
    return [flag for flag in DOOR_FLAGS if getattr(person, flag)]


def on_door_list(person: Resident) -> bool:
    return bool(door_reasons(person))


def contact_is_open(*, contact_type: str, last_exposure: dt.date, on: dt.date) -> bool:
    """A close or secondary contact whose quarantine period has not run out by ``on`` (an
    exposure after ``on`` is open too: the round may run past the day it is asked about)."""
    if contact_type not in SINGLE_TUBE_CONTACTS:
        return False
    return on - last_exposure < dt.timedelta(days=OPEN_CONTACT_DAYS)


def single_tube(*, open_contact: bool, area_pool_size: int) -> bool:
    return open_contact or area_pool_size == 1


def tube_size(*, open_contact: bool, area_pool_size: int) -> int:
    """The pool size of the tube this resident is swabbed into (1 = single tube)."""
    return 1 if single_tube(open_contact=open_contact, area_pool_size=area_pool_size) \
        else area_pool_size
