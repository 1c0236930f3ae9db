"""The channel rules over generated residents: the green channel is exactly the documented
groups, the door-to-door list exactly the three flags, and a tube is single exactly for
open contacts and pool-1 areas (otherwise the area's validated pool size)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from fangkong.testing import channels
from fangkong.testing.models import POOL_SIZES

DAY = dt.date(2022, 5, 3)


@dataclass
class Someone:
    birth_date: dt.date | None
    disabled: bool
    pregnant: bool
    infant: bool
    over80_alone: bool
    chronic_care: bool


people = st.builds(Someone, birth_date=st.none() | st.dates(dt.date(1910, 1, 1), DAY),
                   disabled=st.booleans(), pregnant=st.booleans(), infant=st.booleans(),
                   over80_alone=st.booleans(), chronic_care=st.booleans())


@given(people)
def test_green_channel_is_exactly_the_groups(p: Someone) -> None:
    age = channels.age_on(p.birth_date, DAY)
    expected = (age is not None and (age >= 70 or age < 6)) or p.disabled or p.pregnant \
        or p.infant
    assert channels.green_channel(p, on=DAY) == expected
    assert ("elderly" in channels.green_reasons(p, on=DAY)) == (age is not None and age >= 70)


@given(people)
def test_door_list_is_exactly_the_flags(p: Someone) -> None:
    assert channels.on_door_list(p) == (p.disabled or p.over80_alone or p.chronic_care)
    assert set(channels.door_reasons(p)) <= set(channels.DOOR_FLAGS)
    if channels.on_door_list(p) and p.disabled:
        assert channels.green_channel(p, on=DAY)  # a disabled resident may also come down


@given(st.dates(dt.date(1900, 1, 1), DAY), st.dates(DAY, dt.date(2100, 1, 1)))
def test_age_is_whole_years(birth: dt.date, day: dt.date) -> None:
    age = channels.age_on(birth, day)
    after = channels.age_on(birth, day + dt.timedelta(days=1))
    assert age is not None and after is not None and age >= 0
    assert age in (day.year - birth.year, day.year - birth.year - 1)
    assert after - age in (0, 1)
    assert channels.age_on(day + dt.timedelta(days=1), day) is None


def test_age_boundaries() -> None:
    assert channels.age_on(dt.date(1952, 5, 3), DAY) == 70
    assert channels.age_on(dt.date(1952, 5, 4), DAY) == 69
    assert channels.green_reasons(Someone(dt.date(2016, 5, 4), False, False, False, False,
                                          False), on=DAY) == ["child"]
    assert not channels.green_channel(Someone(dt.date(2016, 5, 3), False, False, False, False,
                                              False), on=DAY)


@given(st.sampled_from(["close", "secondary", "companion"]),
       st.integers(min_value=-3, max_value=40), st.sampled_from(POOL_SIZES))
def test_single_tube_for_open_contacts_and_pool_one(kind: str, days_ago: int, pool: int
                                                     ) -> None:
    last = DAY - dt.timedelta(days=days_ago)
    is_open = channels.contact_is_open(contact_type=kind, last_exposure=last, on=DAY)
    assert is_open == (kind != "companion" and days_ago < channels.OPEN_CONTACT_DAYS)
    size = channels.tube_size(open_contact=is_open, area_pool_size=pool)
    assert size in POOL_SIZES
    assert (size == 1) == (is_open or pool == 1)
    assert size in (1, pool)
