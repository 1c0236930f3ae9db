"""generate_city: determinism, the shape of the city, and the consistency of the truth."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from fangkong.synth.generate import generate_city
from fangkong.synth.idcard import is_valid
from fangkong.synth.venues import TYPE_NAMES

DAY = 86400
FILES = ["admin_units", "buildings", "homes", "persons", "households", "venues",
         "infections", "cases"]


def _read(root: Path, name: str) -> pa.Table:
    return pq.read_table(root / name) if (root / name).is_dir() else pq.read_table(
        root / f"{name}.parquet")


def _epoch(col: pa.ChunkedArray) -> np.ndarray:
    """Timestamps as epoch seconds (nulls → −1)."""
    return pc.fill_null(col.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()), -1).to_numpy()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(out=out, residents=10_000, seed=7, days=3, progress=False,
                  outbreak_seeds=10)
    return out


def _small(root: Path, seed: int) -> dict[str, pa.Table]:
    generate_city(out=root, residents=3000, seed=seed, days=2, progress=False)
    return {name: _read(root, name) for name in [*FILES, "checkins", "pings"]}


def test_same_seed_same_content_other_seed_differs(tmp_path: Path) -> None:
    a, b = _small(tmp_path / "a", 3), _small(tmp_path / "b", 3)
    c = _small(tmp_path / "c", 4)
    for name in a:
        assert a[name].equals(b[name]), name
    assert not a["persons"].equals(c["persons"])
    assert not a["checkins"].equals(c["checkins"])


def test_meta_counts_match_files(city: Path) -> None:
    meta = json.loads((city / "meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 7 and meta["residents"] == 10_000 and meta["days"] == 3
    assert meta["counts"]["persons.parquet"] == 10_000
    assert meta["counts"]["checkins"] == _read(city, "checkins").num_rows
    assert sorted(p.name for p in (city / "checkins").iterdir()) == [
        "day=2022-05-01.parquet", "day=2022-05-02.parquet", "day=2022-05-03.parquet"]


def test_households_have_census_sizes(city: Path) -> None:
    hh = _read(city, "households")
    sizes = np.bincount(hh.column("household_id").to_numpy())[1:]
    assert sizes.min() >= 1 and sizes.max() <= 6
    assert 2.4 < sizes.mean() < 2.8
    assert len(sizes) == _read(city, "homes").num_rows


def test_admin_tree_has_five_nested_levels(city: Path) -> None:
    units = _read(city, "admin_units").to_pylist()
    by_id = {u["unit_id"]: u for u in units}
    order = ["city", "district", "street", "community", "grid"]
    assert {u["level"] for u in units} == set(order)
    for u in units:
        if u["level"] == "city":
            assert u["parent_id"] is None
        else:
            assert order.index(by_id[u["parent_id"]]["level"]) == order.index(u["level"]) - 1
        assert json.loads(u["boundary"])["type"] == "Polygon"


def test_districts_differ_in_size(city: Path) -> None:
    units = _read(city, "admin_units").to_pylist()
    parent = {u["unit_id"]: u["parent_id"] for u in units}
    level = {u["unit_id"]: u["level"] for u in units}

    def district(unit: int) -> int:
        while level[unit] != "district":
            unit = parent[unit]
        return unit

    grids = _read(city, "persons").column("grid_id").to_pylist()
    counts = np.array(list(np.unique([district(g) for g in grids], return_counts=True)[1]))
    assert counts.max() > 1.5 * counts.min()


def test_population_pyramid_and_special_groups(city: Path) -> None:
    persons = _read(city, "persons")
    birth = persons.column("birth_date").to_numpy().astype("datetime64[D]")
    age = (np.datetime64("2022-05-01") - birth).astype(int) / 365.25
    assert (age < 15).mean() > 0.08 and (age >= 65).mean() > 0.08
    assert age.min() >= 0 and age.max() < 105
    for flag in ("over80_alone", "disabled", "pregnant", "chronic_care", "infant"):
        assert pc.sum(persons.column(flag)).as_py() > 0, flag
    assert set(persons.column("sex").to_pylist()) == {"F", "M"}


def test_venue_types_all_present(city: Path) -> None:
    types = set(_read(city, "venues").column("type").to_pylist())
    assert {"market", "supermarket", "restaurant", "office", "school", "hospital",
            "pharmacy", "station"} <= types == set(TYPE_NAMES)


def test_person_home_is_consistent(city: Path) -> None:
    persons = _read(city, "persons").to_pylist()
    homes = {h["household_id"]: h for h in _read(city, "homes").to_pylist()}
    buildings = {b["building_id"]: b for b in _read(city, "buildings").to_pylist()}
    for p in persons:
        home = homes[p["household_id"]]
        assert home["building_id"] == p["building_id"]
        assert home["grid_id"] == p["grid_id"] == buildings[p["building_id"]]["grid_id"]
        assert p["address"] == home["address"]


def test_id_numbers_valid_and_unique(city: Path) -> None:
    ids = _read(city, "persons").column("id_number").to_pylist()
    assert all(is_valid(i) for i in ids)
    assert len(set(ids)) == len(ids)
    phones = _read(city, "persons").column("phone").to_pylist()
    assert len(set(phones)) == len(phones)


def test_checkins_are_sane(city: Path) -> None:
    ch = _read(city, "checkins").sort_by([("person_id", "ascending"), ("ts", "ascending")])
    ts, ex = _epoch(ch.column("ts")), _epoch(ch.column("exit_ts"))
    has = ex >= 0
    assert (ex[has] >= ts[has]).all()
    assert 0.7 < has.mean() < 0.9
    pid = ch.column("person_id").to_numpy()
    same = pid[1:] == pid[:-1]
    prev_end = np.where(ex[:-1] >= 0, ex[:-1], ts[:-1])
    assert (ts[1:][same] >= prev_end[same]).all()
    n_venues = _read(city, "venues").num_rows
    assert 1 <= pc.min(ch.column("venue_id")).as_py() <= pc.max(ch.column("venue_id")).as_py()
    assert pc.max(ch.column("venue_id")).as_py() <= n_venues


def test_pings_inside_city(city: Path) -> None:
    pings = _read(city, "pings")
    root = next(u for u in _read(city, "admin_units").to_pylist() if u["level"] == "city")
    ring = np.array(json.loads(root["boundary"])["coordinates"][0])
    lat, lon = pings.column("lat").to_numpy(), pings.column("lon").to_numpy()
    assert (lat >= ring[:, 1].min()).all() and (lat <= ring[:, 1].max()).all()
    assert (lon >= ring[:, 0].min()).all() and (lon <= ring[:, 0].max()).all()
    start = datetime.datetime(2022, 5, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    t = _epoch(pings.column("ts"))
    assert t.min() >= start.timestamp() and t.max() < start.timestamp() + 3 * DAY


def test_infection_tree_is_causal(city: Path) -> None:
    inf = _read(city, "infections").to_pylist()
    at = {r["person_id"]: r["infected_at"] for r in inf}
    gen = {r["person_id"]: r["generation"] for r in inf}
    assert len(at) == len(inf)
    assert sum(r["setting"] == "seed" for r in inf) == 10
    assert any(r["setting"] != "seed" for r in inf)
    for r in inf:
        if r["setting"] == "seed":
            assert r["infector_id"] is None and r["generation"] == 0
            continue
        assert at[r["infector_id"]] < r["infected_at"]
        assert gen[r["infector_id"]] + 1 == r["generation"]
        assert (r["venue_id"] is not None) == (r["setting"] == "venue")


def test_cases_follow_infections(city: Path) -> None:
    inf = {r["person_id"]: r for r in _read(city, "infections").to_pylist()}
    cases = _read(city, "cases").to_pylist()
    assert cases, "expected some cases"
    assert len({c["person_id"] for c in cases}) == len(cases)
    local = datetime.timezone(datetime.timedelta(hours=8))
    for c in cases:
        assert c["person_id"] in inf
        assert (c["classification"] == "asymptomatic") == (c["onset_date"] is None)
        assert inf[c["person_id"]]["asymptomatic"] == (c["onset_date"] is None)
        day_start = datetime.datetime.combine(c["sample_date"], datetime.time(), local)
        assert c["isolated_at"] >= day_start
        if c["onset_date"] is not None:
            assert c["onset_date"] <= c["sample_date"]


def test_cases_csv_uses_city_offset(city: Path) -> None:
    lines = (city / "cases.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "case_id,person_id,onset_date,sample_date,classification,isolated_at"
    assert all(line.endswith("+08:00") for line in lines[1:])
    assert len(lines) - 1 == _read(city, "cases").num_rows
