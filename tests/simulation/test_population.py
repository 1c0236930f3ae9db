"""The agent model's population built from the synthetic city (no database)."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from fangkong.simulation.population import Population, population_from_synth, routine_csr
from fangkong.synth.generate import generate_city


@pytest.fixture(scope="module")
def town() -> Population:
    return population_from_synth(residents=3000, seed=5)


def test_routine_csr_places_each_visit_on_its_agent_and_weekday() -> None:
    days = [(np.array([2, 0, 2]), np.array([5, 1, 7]))] + [
        (np.array([1]), np.array([d])) for d in range(1, 7)]
    ptr, venue = routine_csr(n=3, days=days)
    assert ptr.shape == (7, 4)
    assert venue[ptr[0, 0]:ptr[0, 1]].tolist() == [1]  # agent 0, Monday
    assert venue[ptr[0, 2]:ptr[0, 3]].tolist() == [5, 7]  # agent 2 keeps its order
    assert venue[ptr[0, 1]:ptr[0, 2]].tolist() == []
    assert venue[ptr[3, 1]:ptr[3, 2]].tolist() == [3]  # agent 1, Thursday
    assert (ptr[1:, 0] == ptr[:-1, -1]).all()


def test_routine_csr_needs_seven_days() -> None:
    with pytest.raises(ValueError, match="7 days"):
        routine_csr(n=1, days=[(np.array([0]), np.array([0]))])


def test_synthetic_population_is_well_formed(town: Population) -> None:
    n = town.size
    assert n == 3000
    assert town.age.dtype == np.int16 and town.household.dtype == np.int32
    assert 0 <= town.age.min() and town.age.max() <= 100
    sizes = np.bincount(town.household)
    assert sizes.min() >= 1 and sizes.max() <= 6
    assert np.all(np.diff(town.household) >= 0)  # households are contiguous
    # each household lives in one grid; each grid in one community, each community in one street
    for inner, outer in ((town.household, town.grid), (town.grid, town.community),
                         (town.community, town.street)):
        pairs = np.unique(np.stack([inner, outer]), axis=1)
        assert len(np.unique(pairs[0])) == pairs.shape[1]
    assert town.grid_ids is None
    assert np.all(np.diff(town.visit_ptr, axis=1) >= 0)
    assert (town.visit_ptr[1:, 0] == town.visit_ptr[:-1, -1]).all()
    assert town.visit_ptr[-1, -1] == len(town.visit_venue)
    assert 0 <= town.visit_venue.min() and town.visit_venue.max() < town.venue_count
    per_day = [town.visits_on(d) for d in range(7)]
    assert 1.0 < min(per_day) / n and max(per_day) / n < 4.0


def test_same_seed_same_city_other_seed_other_city(town: Population) -> None:
    again = population_from_synth(residents=3000, seed=5)
    other = population_from_synth(residents=3000, seed=6)
    assert np.array_equal(again.visit_venue, town.visit_venue)
    assert np.array_equal(again.age, town.age)
    assert not np.array_equal(other.visit_venue[:500], town.visit_venue[:500])


def test_weekly_routine_is_the_demo_citys_first_week_of_checkins(tmp_path: Path) -> None:
    pop = population_from_synth(residents=1500, seed=9)
    generate_city(out=tmp_path, residents=1500, seed=9, days=7, ping_share=0.0,
                  outbreak_seeds=0, progress=False)
    start = datetime.date(2022, 5, 1)
    for d in range(7):
        date = start + datetime.timedelta(days=d)
        table = pq.read_table(tmp_path / "checkins" / f"day={date.isoformat()}.parquet")
        person = table.column("person_id").to_numpy() - 1
        venue = table.column("venue_id").to_numpy() - 1
        wd = date.weekday()
        ptr = pop.visit_ptr[wd]
        mine = sorted(zip(np.repeat(np.arange(pop.size), np.diff(ptr)).tolist(),
                          pop.visit_venue[ptr[0]:ptr[-1]].tolist(), strict=True))
        assert mine == sorted(zip(person.tolist(), venue.tolist(), strict=True))
