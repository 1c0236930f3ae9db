"""`generate_city`: the whole synthetic city, its 14 days and its outbreak, streamed to disk.

Every stage draws from its own generator seeded by (seed, stage, day, chunk), so output
depends only on the seed and the parameters. Persons are made and written chunk by chunk;
only a few compact arrays per person (grid, occupation, workplace, age, home) stay in
memory for the routines. Each day's check-ins and pings are written as they are made.
"""

from __future__ import annotations

import datetime
import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from fangkong.synth.geography import Geography, build_geography
from fangkong.synth.housing import Housing, build_housing, homes_table
from fangkong.synth.outbreak import DAY, TZ_OFFSET, Outbreak, cases_table, infections_table
from fangkong.synth.people import IdCounter, PersonArrays, make_persons
from fangkong.synth.pings import day_pings, sampled
from fangkong.synth.routines import DayStays, checkins_table, clip_isolated, day_stays
from fangkong.synth.sink import Sink, chunk_bounds, write_cases_csv
from fangkong.synth.venues import Venues, build_venues

GENERATOR_VERSION = "fangkong.synth/1"
CHUNK = 200_000  # persons per chunk; part of the seed contract, do not vary per run
GEO, HOUSING, VENUES, PERSONS, ROUTINES, PINGS, CHECKINS, OUTBREAK = range(1, 9)


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


@dataclass
class Population:
    """Compact per-person arrays (row = person_id − 1) kept for the whole run."""

    grid: np.ndarray
    occupation: np.ndarray
    work: np.ndarray
    chronic: np.ndarray
    age: np.ndarray
    building: np.ndarray

    def people(self, lo: int, hi: int, housing: Housing) -> PersonArrays:
        b = self.building[lo:hi]
        return PersonArrays(
            pid=np.arange(lo + 1, hi + 1, dtype=np.int64), grid=self.grid[lo:hi],
            lat=housing.b_lat[b], lon=housing.b_lon[b], occupation=self.occupation[lo:hi],
            work=self.work[lo:hi].astype(np.int64), chronic=self.chronic[lo:hi],
            age=self.age[lo:hi])


@dataclass
class City:
    geo: Geography
    housing: Housing
    venues: Venues
    population: Population


def _epoch_day(day: datetime.date) -> int:
    return (day - datetime.date(1970, 1, 1)).days


def _write_places(seed: int, residents: int, sink: Sink) -> tuple[Geography, Housing, Venues]:
    geo = build_geography(_rng(seed, GEO), residents)
    housing = build_housing(_rng(seed, HOUSING), geo, residents)
    weight = np.bincount(housing.grid, minlength=geo.n_grids).astype(np.float64) + 1.0
    venues = build_venues(_rng(seed, VENUES), geo, weight, residents, seed)
    sink.write("admin_units.parquet", geo.table)
    sink.write("buildings.parquet", housing.buildings)
    sink.write("venues.parquet", venues.table)
    return geo, housing, venues


def _write_persons(seed: int, start: datetime.date, places: tuple[Geography, Housing, Venues],
                   sink: Sink, bar: tqdm) -> Population:
    """Persons, households and homes, chunk by chunk of households."""
    geo, housing, venues = places
    ids = IdCounter(len(geo.district_code), _epoch_day(start))
    first_row = housing.first_person - 1
    cuts = np.searchsorted(first_row, np.arange(0, int(housing.size.sum()), CHUNK))
    edges = [*cuts.tolist(), housing.n_households]
    parts: list[PersonArrays] = []
    for ci, (lo, hi) in enumerate(itertools.pairwise(edges)):
        table, arrays = make_persons(
            _rng(seed, PERSONS, ci), housing=housing, geo=geo, venues=venues, lo=lo, hi=hi,
            start_day=_epoch_day(start), ids=ids, phone_salt=seed % 10**8)
        sink.write("persons.parquet", table)
        sink.write("households.parquet", table.select(["person_id", "household_id"]))
        sink.write("homes.parquet", homes_table(housing, geo, lo, hi))
        parts.append(arrays)
        bar.update(table.num_rows)
    return Population(
        grid=np.concatenate([p.grid for p in parts]).astype(np.int32),
        occupation=np.concatenate([p.occupation for p in parts]),
        work=np.concatenate([p.work for p in parts]).astype(np.int32),
        chronic=np.concatenate([p.chronic for p in parts]),
        age=np.concatenate([p.age for p in parts]).astype(np.float32),
        building=np.concatenate([housing.building[lo:hi].repeat(housing.size[lo:hi])
                                 for lo, hi in itertools.pairwise(edges)]))


def _simulate_day(city: City, outbreak: Outbreak, sink: Sink, *, seed: int, day: int,
                  date: datetime.date, ping_share: float, bar: tqdm) -> None:
    """One day: stays per chunk → check-ins and pings on disk → transmission."""
    day0 = _epoch_day(date) * DAY - TZ_OFFSET
    iso_rows, iso_ts = outbreak.isolation()
    name = f"day={date.isoformat()}.parquet"
    kept: list[DayStays] = []
    n = len(city.population.age)
    for ci, (lo, hi) in enumerate(chunk_bounds(n, CHUNK)):
        people = city.population.people(lo, hi, city.housing)
        stays = day_stays(rng=_rng(seed, ROUTINES, day, ci), people=people,
                          venues=city.venues, day0=day0, weekday=date.weekday())
        stays = clip_isolated(stays, iso_rows, iso_ts)
        sink.write(f"checkins/{name}", checkins_table(_rng(seed, CHECKINS, day, ci), stays))
        sel = sampled(seed=seed, rows=people.pid - 1, share=ping_share)
        pings = day_pings(rng=_rng(seed, PINGS, day, ci), rows=people.pid[sel] - 1,
                          home_lat=people.lat[sel], home_lon=people.lon[sel], stays=stays,
                          venues=city.venues, day0=day0, iso_rows=iso_rows, iso_ts=iso_ts,
                          bbox=city.geo.bbox)
        sink.write(f"pings/{name}", pings)
        kept.append(stays)
        bar.update(hi - lo)
    sink.close(f"checkins/{name}")
    sink.close(f"pings/{name}")
    whole = DayStays(*(np.concatenate([getattr(s, f) for s in kept])
                       for f in ("pidx", "venue", "ts", "te")))
    outbreak.step(rng=_rng(seed, OUTBREAK, day), day0=day0, stays=whole)


def _count(sink: Sink, prefix: str) -> int:
    return sum(v for k, v in sink.rows.items() if k.startswith(prefix))


def _meta(sink: Sink, **fields: Any) -> dict[str, Any]:
    counts = {k: v for k, v in sink.rows.items() if "/" not in k}
    counts["checkins"] = _count(sink, "checkins/")
    counts["pings"] = _count(sink, "pings/")
    return {"generator_version": GENERATOR_VERSION, **fields, "counts": counts,
            "timestamps": "Parquet timestamp[s, tz=UTC]; dates are Asia/Shanghai dates",
            "timezone": "Asia/Shanghai"}


def generate_city(*, out: Path, residents: int, seed: int, days: int = 14,
                  start: datetime.date = datetime.date(2022, 5, 1), ping_share: float = 0.1,
                  outbreak_seeds: int = 5, progress: bool = True) -> dict[str, Any]:
    """Generate the city into `out/` and return the metadata also written to meta.json."""
    began = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sink = Sink(out)
    places = _write_places(seed, residents, sink)
    stages = {"places_s": time.perf_counter() - began}
    with tqdm(total=residents, desc="persons", unit="p", disable=not progress) as bar:
        population = _write_persons(seed, start, places, sink, bar)
    stages["persons_s"] = time.perf_counter() - began - sum(stages.values())
    city = City(*places, population)
    housing = city.housing
    outbreak = Outbreak(household_first=housing.first_person - 1,
                        household_size=housing.size.astype(np.int64), age=population.age,
                        venue_type=city.venues.vtype)
    start0 = _epoch_day(start) * DAY - TZ_OFFSET
    outbreak.seed(rng=_rng(seed, OUTBREAK, 10**6), n=outbreak_seeds, start=start0)
    with tqdm(total=residents * days, desc="days", unit="p·d", disable=not progress) as bar:
        for d in range(days):
            _simulate_day(city, outbreak, sink, seed=seed, day=d,
                          date=start + datetime.timedelta(days=d), ping_share=ping_share,
                          bar=bar)
    stages["days_s"] = time.perf_counter() - began - sum(stages.values())
    sink.write("infections.parquet", infections_table(outbreak.log))
    cases = cases_table(outbreak.log, until=start0 + days * DAY)
    sink.write("cases.parquet", cases)
    sink.close()
    write_cases_csv(out / "cases.csv", cases)
    meta = _meta(sink, seed=seed, residents=residents, days=days, start=start.isoformat(),
                 ping_share=ping_share, outbreak_seeds=outbreak_seeds,
                 elapsed_s=round(time.perf_counter() - began, 3),
                 stages={k: round(v, 3) for k, v in stages.items()})
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    return meta


def read_table(path: Path) -> pa.Table:
    """Read one output file or a folder of day files as one table (tests, tools)."""
    import pyarrow.parquet as pq

    return pq.read_table(path)
