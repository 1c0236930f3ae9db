"""Persons of a range of households: ages by household role, sex, occupation, flags,
names, ID numbers, phones and a work or school venue.

Ages come from household roles (single, head, spouse, child, grandparent) so families look
like families and the population pyramid has the shape of a Chinese city in 2020.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fangkong.synth.geography import Geography
from fangkong.synth.housing import Housing
from fangkong.synth.idcard import PHONE_PREFIXES, make_ids, make_phones
from fangkong.synth.names import draw_surnames, person_names
from fangkong.synth.venues import TYPE_IDX, Venues

OCCUPATIONS = ["worker", "student", "child", "retired", "other"]
WORKER, STUDENT, CHILD, RETIRED, OTHER = range(5)
SINGLE, HEAD, SPOUSE, KID, ELDER = range(5)
# ROLES[size, variant, position]
ROLES = np.zeros((7, 2, 6), dtype=np.int8)
for _size, _variants in {
    1: ([0], [0]), 2: ([1, 2], [1, 3]), 3: ([1, 2, 3], [1, 2, 4]),
    4: ([1, 2, 3, 3], [1, 2, 3, 4]), 5: ([1, 2, 3, 4, 4], [1, 2, 3, 3, 4]),
    6: ([1, 2, 3, 3, 4, 4], [1, 2, 3, 3, 3, 4]),
}.items():
    for _v, _seq in enumerate(_variants):
        ROLES[_size, _v, : len(_seq)] = _seq
WORK_TYPES = ["office", "school", "hospital", "restaurant", "supermarket", "market", "mall",
              "pharmacy"]
WORK_P = np.array([0.78, 0.04, 0.03, 0.06, 0.04, 0.02, 0.02, 0.01])
MAX_AGE_DAYS = 366 * 102


@dataclass
class PersonArrays:
    """What the routine generator needs of each person in a chunk."""

    pid: np.ndarray
    grid: np.ndarray
    lat: np.ndarray  # home
    lon: np.ndarray
    occupation: np.ndarray
    work: np.ndarray  # venue row or -1
    chronic: np.ndarray
    age: np.ndarray


class IdCounter:
    """Next free sequence per (district, birth date, sex), kept across chunks so that ID
    numbers stay unique whichever chunk a person falls in."""

    def __init__(self, n_districts: int, start_day: int) -> None:
        self.start_day = start_day
        self.next = np.zeros(n_districts * MAX_AGE_DAYS * 2, dtype=np.int32)

    def take(self, district: np.ndarray, birth_day: np.ndarray, female: np.ndarray
             ) -> np.ndarray:
        key = (district * MAX_AGE_DAYS + (self.start_day - birth_day)) * 2 + female
        order = np.argsort(key, kind="stable")
        sk = key[order]
        first = np.concatenate([[0], np.flatnonzero(np.diff(sk)) + 1])
        rank = np.arange(len(sk)) - np.repeat(first, np.diff(np.concatenate([first, [len(sk)]])))
        k = np.empty_like(rank)
        k[order] = rank + self.next[sk]
        np.add.at(self.next, key, 1)
        if k.max(initial=0) > 498:
            raise ValueError("more than 499 persons share district, birth date and sex")
        return 2 * k + 1 + female


def _ages(rng: np.random.Generator, size: np.ndarray, hh: np.ndarray, role: np.ndarray,
          variant: np.ndarray) -> np.ndarray:
    """Age in years: the head's age depends on household type, the others follow it."""
    nh = len(size)
    u = rng.random(nh)
    mix = np.select([u < 0.4, u < 0.62], [rng.uniform(20, 38, nh), rng.uniform(38, 60, nh)],
                    rng.uniform(60, 90, nh))
    head = np.where(size >= 3, rng.uniform(26, 57, nh), mix)
    head = np.where((size == 2) & (variant == 1), rng.uniform(40, 78, nh), head)
    h = head[hh]
    n = len(role)
    age = np.select(
        [role == SPOUSE, role == KID, role == ELDER],
        [_fold(h + rng.normal(-2, 3, n), 20, 99),
         rng.random(n) * np.maximum(h - 22, 0.5),
         _fold(h + rng.uniform(24, 34, n), 50, 100)],
        h)
    return age


def _fold(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Reflect values back into [lo, hi]. Clipping would pile them onto one birth date, and
    ID numbers allow only 500 persons per district, birth date and sex."""
    x = np.where(x > hi, 2 * hi - x, x)
    return np.where(x < lo, 2 * lo - x, x)


def _occupation(rng: np.random.Generator, age: np.ndarray, female: np.ndarray) -> np.ndarray:
    n = len(age)
    u = rng.random(n)
    retire_at = np.where(female, 55, 60)
    adult = np.where(u < 0.82, WORKER, OTHER)
    young = np.select([u < 0.6, u < 0.9], [STUDENT, WORKER], OTHER)
    senior = np.where((u < 0.1) & (age < retire_at + 5), WORKER, RETIRED)
    return np.select(
        [age < 6, age < 18, age < 22, age < retire_at], [CHILD, STUDENT, young, adult], senior
    ).astype(np.int8)


def _work_venues(rng: np.random.Generator, occ: np.ndarray, grid: np.ndarray,
                 venues: Venues) -> np.ndarray:
    """Schools near home for students; for workers a workplace, often across the city."""
    work = np.full(len(occ), -1, dtype=np.int64)
    st = occ == STUDENT
    work[st] = venues.choose(rng, TYPE_IDX["school"], grid[st], p_local=0.95)
    wk = np.flatnonzero(occ == WORKER)
    kind = rng.choice(len(WORK_TYPES), size=len(wk), p=WORK_P)
    for i, t in enumerate(WORK_TYPES):
        sel = wk[kind == i]
        work[sel] = venues.choose(rng, TYPE_IDX[t], grid[sel], p_local=0.35)
    return work


def _flags(rng: np.random.Generator, age: np.ndarray, female: np.ndarray,
           alone: np.ndarray) -> dict[str, np.ndarray]:
    n = len(age)
    return {
        "over80_alone": alone & (age >= 80),
        "disabled": rng.random(n) < 0.02 + 0.06 * (age >= 65),
        "pregnant": female & (age >= 20) & (age < 43) & (rng.random(n) < 0.055),
        "chronic_care": rng.random(n) < 0.005 + 0.015 * (age >= 60),
        "infant": age < 1,
    }


def make_persons(rng: np.random.Generator, *, housing: Housing, geo: Geography,
                 venues: Venues, lo: int, hi: int, start_day: int, ids: IdCounter,
                 phone_salt: int) -> tuple[pa.Table, PersonArrays]:
    """Persons of households [lo, hi); person ids are contiguous per household."""
    size = housing.size[lo:hi].astype(np.int64)
    hh = np.repeat(np.arange(hi - lo), size)
    n = len(hh)
    pid = housing.first_person[lo] + np.arange(n, dtype=np.int64)
    pos = pid - housing.first_person[lo:hi][hh]
    variant = (rng.random(hi - lo) < 0.3).astype(np.int64)
    role = ROLES[size[hh], variant[hh], pos]
    age = _ages(rng, size, hh, role, variant)
    head_female = rng.random(hi - lo) < 0.5
    female = np.where(role == HEAD, head_female[hh],
                      np.where(role == SPOUSE, ~head_female[hh], rng.random(n) < 0.49))
    birth = start_day - np.floor(age * 365.25).astype(np.int64) - 1
    occ = _occupation(rng, age, female)
    grid = housing.grid[lo:hi][hh]
    building = housing.building[lo:hi][hh]
    work = _work_venues(rng, occ, grid, venues)
    table = pa.table({
        "person_id": pid,
        "household_id": (lo + 1 + hh).astype(np.int64),
        "building_id": building.astype(np.int64) + 1,
        "grid_id": geo.grid_unit_id[grid],
        **_identity(rng, geo=geo, grid=grid, birth=birth, female=female, role=role, hh=hh,
                    households=hi - lo, ids=ids, pid=pid, phone_salt=phone_salt),
        "sex": pa.array(np.where(female, "F", "M")),
        "birth_date": pa.array(birth.astype("datetime64[D]"), type=pa.date32()),
        "address": _home_address(housing, lo, hh),
        "occupation": pa.array(np.array(OCCUPATIONS)[occ]),
        "work_venue_id": pa.array(np.where(work >= 0, work + 1, 0), mask=work < 0,
                                  type=pa.int64()),
        **_flags(rng, age, female, (size == 1)[hh]),
    })
    arrays = PersonArrays(pid, grid, housing.b_lat[building], housing.b_lon[building], occ,
                          work, table.column("chronic_care").to_numpy(), age)
    return table, arrays


def _identity(rng: np.random.Generator, *, geo: Geography, grid: np.ndarray,
              birth: np.ndarray, female: np.ndarray, role: np.ndarray, hh: np.ndarray,
              households: int, ids: IdCounter, pid: np.ndarray, phone_salt: int
              ) -> dict[str, pa.Array]:
    """Name (family surname, spouses and elders keep their own), ID number, phone."""
    n = len(pid)
    district = geo.grid_district[grid]
    seq = ids.take(district, birth, female.astype(np.int64))
    area = np.array([int(c) for c in geo.district_code])[district]
    family = draw_surnames(rng, households)[hh]
    surname = np.where((role == SPOUSE) | (role == ELDER), draw_surnames(rng, n), family)
    return {
        "name": person_names(rng, surname, ~female),
        "id_number": pa.array(make_ids(area, birth, seq)),
        "phone": pa.array(make_phones(pid, rng.integers(0, len(PHONE_PREFIXES), n),
                                      phone_salt).astype(str)),
    }


def _home_address(housing: Housing, lo: int, hh: np.ndarray) -> pa.Array:
    import pyarrow.compute as pc

    b = housing.building[lo:][hh]
    room = pc.cast(pa.array(housing.room[lo:][hh]), pa.string())
    return pc.binary_join_element_wise(housing.b_address.take(b), room, "室", "")
