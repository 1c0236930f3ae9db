"""The capacity forecast: worked examples and properties over arbitrary inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.quarantine.logic import QuarantineRules
from fangkong.quarantine.logic_capacity import (
    centralised_stay,
    forecast,
    inflow_estimate,
    reserve_target,
)

TODAY = dt.date(2022, 7, 10)


def base(**changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"today": TODAY, "releases": [], "awaiting": 0,
                              "recent_inflow": [], "stay_days": 7, "rooms_usable": 10,
                              "residents": 10_000, "rooms_per_10k": 20}
    return kwargs | changes


def test_day_by_day_with_releases_arrivals_and_a_shortfall() -> None:
    releases = [TODAY, TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=2)]
    f = forecast(**base(releases=releases, awaiting=2, recent_inflow=[9, 1, 2, 3],
                        stay_days=3, rooms_usable=8))
    assert f.inflow_per_day == 2  # mean of 1, 2, 3 (the last three days)
    assert f.inflow_basis == (1, 2, 3)
    rows = [(r.occupied, r.arrivals, r.releases, r.needed, r.shortfall) for r in f.days]
    assert rows[:4] == [
        (3, 4, 1, 7, 0),  # 3 in rooms; 2 awaiting + 2 new; one leaves at the end of the day
        (6, 2, 0, 8, 0),
        (8, 2, 6, 10, 2),  # two release dates, and the four of day 0 end their 3 days
        (4, 2, 2, 6, 0),
    ]
    assert f.first_shortfall == TODAY + dt.timedelta(days=2)
    assert f.peak_shortfall == 2
    assert len(f.days) == 7 and f.days[-1].day == TODAY + dt.timedelta(days=6)


def test_a_release_date_already_past_frees_the_room_on_day_zero() -> None:
    f = forecast(**base(releases=[TODAY - dt.timedelta(days=3)], recent_inflow=[0]))
    assert (f.days[0].occupied, f.days[0].releases, f.days[1].occupied) == (1, 1, 0)


def test_the_reserve_is_rooms_per_ten_thousand_residents() -> None:
    f = forecast(**base(residents=25_000, rooms_per_10k=20, rooms_usable=49))
    assert f.reserve_target == 50 and not f.reserve_met
    assert f.reserve_per_10k == pytest.approx(19.6)
    assert f.needs_attention
    assert forecast(**base(residents=25_000, rooms_usable=50)).reserve_met
    assert forecast(**base(residents=0, rooms_usable=0)).reserve_per_10k is None
    assert reserve_target(residents=1, rooms_per_10k=20) == 1  # rounded up
    assert reserve_target(residents=30_000, rooms_per_10k=20.0) == 60


def test_inflow_is_the_rounded_up_mean_of_the_last_three_days() -> None:
    assert inflow_estimate([]) == 0
    assert inflow_estimate([4]) == 4
    assert inflow_estimate([100, 1, 1, 2]) == 2  # (1 + 1 + 2) / 3 = 1.33 → 2


@pytest.mark.parametrize("bad", [{"stay_days": 0}, {"horizon_days": 0}, {"awaiting": -1},
                                 {"recent_inflow": [1, -2]}, {"rooms_usable": -1},
                                 {"rooms_per_10k": -1}])
def test_bad_inputs_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        forecast(**base(**bad))


def _rules(close: dict[str, Any] | None, risk_area: dict[str, Any] | None) -> QuarantineRules:
    home = {"kind": "home", "centralised_days": 0, "home_days": 7, "home_kind": "home",
            "tests_centralised": [], "tests_home": []}
    return QuarantineRules.from_dict({"close": close, "secondary": home, "risk_area": risk_area,
                                      "inbound": None, "rooms_per_10k": 20, "fever_c": 37.3,
                                      "support_mood_at_most": 2})


def test_the_stay_is_the_close_contacts_centralised_days_else_the_longest() -> None:
    def centralised(days: int) -> dict[str, Any]:
        return {"kind": "centralised", "centralised_days": days, "home_days": 3,
                "home_kind": "monitoring", "tests_centralised": [], "tests_home": []}

    assert centralised_stay(_rules(centralised(5), centralised(9))) == 5
    assert centralised_stay(_rules(None, centralised(9))) == 9
    assert centralised_stay(_rules(None, None)) == 1


dates = st.dates(min_value=TODAY - dt.timedelta(days=5), max_value=TODAY + dt.timedelta(days=20))
inputs = st.fixed_dictionaries({
    "releases": st.lists(dates, max_size=30),
    "awaiting": st.integers(0, 50),
    "recent_inflow": st.lists(st.integers(0, 40), max_size=6),
    "stay_days": st.integers(1, 21),
    "rooms_usable": st.integers(0, 80),
    "horizon_days": st.integers(1, 14),
})


@given(inputs)
def test_day_zero_holds_everyone_now_in_a_room(kw: dict[str, Any]) -> None:
    f = forecast(**base(**kw))
    assert f.days[0].occupied == len(kw["releases"])
    assert len(f.days) == kw["horizon_days"]


@given(inputs)
def test_shortfall_is_need_beyond_usable_rooms(kw: dict[str, Any]) -> None:
    for row in forecast(**base(**kw)).days:
        assert row.shortfall == max(0, row.needed - row.usable)
        assert row.needed == row.occupied + row.arrivals
        assert row.occupied >= 0


@given(inputs, st.integers(1, 20), st.integers(0, 5))
def test_more_inflow_never_lowers_the_need(kw: dict[str, Any], extra: int, day: int) -> None:
    more = list(kw["recent_inflow"]) or [0]
    more[-1 - min(day, len(more) - 1)] += extra
    less, plus = forecast(**base(**kw)), forecast(**base(**{**kw, "recent_inflow": more}))
    assert all(b.needed >= a.needed for a, b in zip(less.days, plus.days, strict=True))
    waiting = forecast(**base(**{**kw, "awaiting": kw["awaiting"] + extra}))
    assert all(b.needed >= a.needed for a, b in zip(less.days, waiting.days, strict=True))


@given(inputs, st.lists(dates, min_size=1, max_size=5))
def test_an_earlier_release_never_raises_the_need(kw: dict[str, Any],
                                                  moved: list[dt.date]) -> None:
    """Someone leaving earlier than planned frees their room earlier: no day needs more."""
    later = [TODAY + dt.timedelta(days=30)] * len(moved)
    kept = forecast(**base(**{**kw, "releases": kw["releases"] + later}))
    freed = forecast(**base(**{**kw, "releases": kw["releases"] + moved}))
    assert all(b.needed <= a.needed for a, b in zip(kept.days, freed.days, strict=True))
    assert all(b.shortfall <= a.shortfall for a, b in zip(kept.days, freed.days, strict=True))
