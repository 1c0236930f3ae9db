"""The status rules and age bands, pure: each product's series, the booster interval by
date, input order, the policy's parsing, and completed years by date of birth."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.vaccination import logic
from fangkong.vaccination.logic import BOOSTED, FULL, NONE, PARTIAL, DoseFact, VaccinationRules

D0 = dt.date(2021, 5, 1)
PARAMS = {"age_bands": [[3, 11], [12, 17], [18, 59], [60, 69], [70, 79], [80, None]],
          "elderly_age": 60, "booster_after_days": 180}


def six_months(day: dt.date) -> int | None:
    return 180


def never(day: dt.date) -> int | None:
    return None


def facts(*doses: tuple[int, int], primary: int = 2) -> list[DoseFact]:
    """(days after D0, dose number) pairs of one product."""
    return [DoseFact(i, n, D0 + dt.timedelta(days=d), primary) for i, (d, n) in enumerate(doses)]


def test_each_product_series() -> None:
    assert logic.status_of([], booster_days_on=six_months) == NONE
    assert logic.status_of(facts((0, 1)), booster_days_on=six_months) == PARTIAL
    assert logic.status_of(facts((0, 1), (28, 2)), booster_days_on=six_months) == FULL
    assert logic.status_of(facts((0, 1), primary=1), booster_days_on=six_months) == FULL
    zf = facts((0, 1), (30, 2), primary=3)
    assert logic.status_of(zf, booster_days_on=six_months) == PARTIAL
    assert logic.status_of(facts((0, 1), (30, 2), (60, 3), primary=3),
                           booster_days_on=six_months) == FULL


def test_the_booster_needs_its_interval_from_the_completing_dose() -> None:
    on_the_day = facts((0, 1), (28, 2), (28 + 180, 3))
    a_day_early = facts((0, 1), (28, 2), (28 + 179, 3))
    assert logic.status_of(on_the_day, booster_days_on=six_months) == BOOSTED
    assert logic.status_of(a_day_early, booster_days_on=six_months) == FULL
    assert logic.status_of(on_the_day, booster_days_on=never) == FULL
    counts = logic.contributions([*a_day_early, DoseFact(9, 4, D0 + dt.timedelta(days=400), 2)],
                                 booster_days_on=six_months)
    assert [counts[k] for k in (0, 1, 2, 9)] == [PARTIAL, FULL, FULL, BOOSTED]


def test_the_interval_in_force_on_the_booster_s_date() -> None:
    def moved(day: dt.date) -> int | None:  # 3 months from 29 November 2022
        return 90 if day >= dt.date(2022, 11, 29) else 180

    done = dt.date(2022, 8, 1)
    before = [DoseFact(1, 1, done - dt.timedelta(days=28), 2), DoseFact(2, 2, done, 2),
              DoseFact(3, 3, dt.date(2022, 11, 28), 2)]
    after = [*before[:2], DoseFact(3, 3, dt.date(2022, 11, 29), 2)]
    assert logic.status_of(before, booster_days_on=moved) == FULL  # 119 days < 180
    assert logic.status_of(after, booster_days_on=moved) == BOOSTED  # 120 days >= 90


def test_the_first_product_sets_the_series() -> None:
    cansino_then = [DoseFact(1, 1, D0, 1), DoseFact(2, 2, D0 + dt.timedelta(days=30), 2)]
    assert logic.contributions(cansino_then, booster_days_on=six_months) == {1: FULL, 2: FULL}
    mixed = [DoseFact(1, 1, D0, 2), DoseFact(2, 2, D0 + dt.timedelta(days=30), 1)]
    assert logic.status_of(mixed, booster_days_on=six_months) == FULL


def reference(doses: list[DoseFact], booster: int | None) -> int:
    """The rules read the other way round: the status is decided by the dates alone."""
    if not doses:
        return NONE
    days = sorted((d.given_on, d.dose_number, d.primary_doses) for d in doses)
    needed = max(1, days[0][2])
    if len(days) < needed:
        return PARTIAL
    completed = days[needed - 1][0]
    late = [d for d, _n, _p in days[needed:]
            if booster is not None and (d - completed).days >= booster]
    return BOOSTED if late else FULL


dose_lists = st.lists(st.tuples(st.integers(0, 900), st.integers(1, 3)), max_size=6)


@given(doses=dose_lists, booster=st.sampled_from([None, 90, 180]), seed=st.integers(0, 99))
def test_status_equals_the_reference_in_any_input_order(doses: list[tuple[int, int]],
                                                        booster: int | None, seed: int) -> None:
    found = [DoseFact(i, i + 1, D0 + dt.timedelta(days=d), p)
             for i, (d, p) in enumerate(doses)]
    shuffled = found[:]
    random.Random(seed).shuffle(shuffled)
    status = logic.status_of(shuffled, booster_days_on=lambda _day: booster)
    assert status == reference(found, booster)
    counts = logic.contributions(found, booster_days_on=lambda _day: booster)
    assert set(counts) == {d.key for d in found}
    assert sum(1 for v in counts.values() if v == FULL) <= max(1, len(found))


@given(birth=st.dates(dt.date(1900, 1, 1), dt.date(2022, 12, 31)),
       day=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), years=st.integers(0, 110))
def test_born_by_agrees_with_completed_years(birth: dt.date, day: dt.date, years: int) -> None:
    assert (logic.age_on(birth, day) >= years) == (birth <= logic.born_by(day, years))


@given(birth=st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
       day=st.dates(dt.date(2021, 1, 1), dt.date(2025, 12, 31)))
def test_birth_ranges_match_the_band_of_the_age(birth: dt.date, day: dt.date) -> None:
    rules = VaccinationRules.from_dict(PARAMS)
    band = rules.band_of(logic.age_on(birth, day))
    inside = []
    for b in rules.bands:
        earliest, latest = logic.birth_range(b, day)
        if birth <= latest and (earliest is None or birth > earliest):
            inside.append(b)
    assert inside == ([band] if band else [])


def test_a_leap_day_birth() -> None:
    born = dt.date(1960, 2, 29)
    assert logic.age_on(born, dt.date(2022, 2, 28)) == 61
    assert logic.age_on(born, dt.date(2022, 3, 1)) == 62
    assert logic.born_by(dt.date(2024, 2, 29), 2) == dt.date(2022, 2, 28)


def test_policy_parsing() -> None:
    rules = VaccinationRules.from_dict(PARAMS)
    assert [b.key for b in rules.elderly_bands] == ["60-69", "70-79", "80+"]
    assert rules.band_of(2) is None and rules.band_of(80).key == "80+"  # type: ignore[union-attr]
    for broken, words in [({**PARAMS, "extra": 1}, "keys"),
                          ({**PARAMS, "age_bands": [[3, 11], [13, None]]}, "adjacent"),
                          ({**PARAMS, "elderly_age": 65}, "elderly_age"),
                          ({**PARAMS, "booster_after_days": 7}, "booster")]:
        with pytest.raises(ValueError, match=words):
            VaccinationRules.from_dict(broken)


def test_percent_rounds_down() -> None:
    assert logic.percent(999, 1000) == 99.9 and logic.percent(1999, 2000) == 99.9
    assert logic.percent(0, 0) is None and logic.percent(3, 3) == 100.0
