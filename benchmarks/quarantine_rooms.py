"""Room assignment in bench_quarantine.py, without a database: a realistic mix of arrivals
drawn from the synthetic city's households, hotel layouts, and the platform's plan
(``logic_rooms.group_arrivals`` + ``assign``) against a naive first-fit, both measured against
an exact maximum computed here independently (a plain max-flow, not the platform's code).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from fangkong.quarantine.logic_rooms import (
    Arrival,
    Group,
    Placement,
    RoomSlot,
    assign,
    fits,
    group_arrivals,
)

FAMILY_SHARE = 0.20  # people arriving with children under 14 and their carers
CARE_SHARE = 0.05  # people of households with a disabled member (needs a carer, accessible)
ALONE_ELDER_SHARE = 0.02  # over 80 living alone
ROOMS_PER_FLOOR = 10


def pick_arrivals(city: Path, n: int, seed: int, today: dt.date) -> pd.DataFrame:
    """``n`` persons in arrival order: whole families (children, a disabled member), elders
    living alone, and single adults of households not otherwise quarantined (three in four)."""
    cols = ["person_id", "household_id", "grid_id", "birth_date", "over80_alone", "disabled"]
    p = pq.read_table(city / "persons.parquet", columns=cols).to_pandas()
    born = pd.to_datetime(p["birth_date"])
    p["age"] = today.year - born.dt.year - ((born.dt.month * 100 + born.dt.day)
                                            > today.month * 100 + today.day)
    p["district"] = _districts(city).reindex(p["grid_id"]).to_numpy()
    rng = np.random.default_rng(seed)
    size = p.groupby("household_id")["person_id"].transform("size")
    adult = (p["age"] >= 18) & ~p["disabled"]
    has_child = p.groupby("household_id")["age"].transform("min") < 14
    has_adult = adult.groupby(p["household_id"]).transform("any")
    has_disabled = p.groupby("household_id")["disabled"].transform("any")
    families = _households(p[has_child & has_adult & ~has_disabled], rng)
    care = _households(p[has_disabled & has_adult & (size > 1) & ~has_child], rng)
    chosen = _fill(families, FAMILY_SHARE * n, set()) + _fill(care, CARE_SHARE * n, set())
    taken = set(chosen)
    elders = p[p["over80_alone"] & ~p["household_id"].isin(taken)]
    chosen += _fill(_households(elders, rng), ALONE_ELDER_SHARE * n, taken)
    members = p[p["household_id"].isin(set(chosen))]
    rest = p[adult & (p["age"] < 80) & ~p["household_id"].isin(set(chosen))]
    singles = rest.groupby("household_id").head(1).sample(n=n - len(members), random_state=seed)
    people = pd.concat([members, singles])
    arrival_of = {h: i for i, h in enumerate(rng.permutation(people["household_id"].unique()))}
    people = people.assign(arrives=people["household_id"].map(arrival_of))
    return people.sort_values(["arrives", "person_id"]).reset_index(drop=True)


def _districts(city: Path) -> pd.Series:
    units = pq.read_table(city / "admin_units.parquet",
                          columns=["unit_id", "parent_id", "level"]).to_pandas()
    parent = units.set_index("unit_id")["parent_id"]
    level = units.set_index("unit_id")["level"]
    out = {}
    for unit in units.loc[units["level"] == "grid", "unit_id"]:
        u = unit
        while level[u] != "district":
            u = parent[u]
        out[unit] = u
    return pd.Series(out)


def _households(p: pd.DataFrame, rng: np.random.Generator) -> list[tuple[int, int]]:
    sizes = p.groupby("household_id").size()
    order = rng.permutation(len(sizes))
    return [(int(sizes.index[i]), int(sizes.iloc[i])) for i in order]


def _fill(households: list[tuple[int, int]], people: float, taken: set[int]) -> list[int]:
    out, total = [], 0
    for h, size in households:
        if total >= people:
            break
        if h not in taken:
            out.append(h)
            total += size
    return out


def arrivals_of(people: pd.DataFrame) -> list[Arrival]:
    """Arrival keys follow the arrival order (an order id grows the same way)."""
    return [Arrival(key=i + 1, household=int(r.household_id), age=int(r.age),
                    needs_care=bool(r.over80_alone or r.disabled),
                    needs_accessible=bool(r.disabled), home_district=int(r.district))
            for i, r in enumerate(people.itertuples())]


def hotel_rooms(*, hotels: int, rooms: int, districts: Sequence[int]) -> list[RoomSlot]:
    """``rooms`` rooms over ``hotels`` hotels, floors of ten: room 10 of each floor is a
    family room (two beds, three on every third floor), rooms 01-02 of floor 1 accessible
    (two beds); all others single. Keys follow (hotel, floor, number), the naive scan order."""
    slots: list[RoomSlot] = []
    per_hotel = [rooms // hotels + (1 if h < rooms % hotels else 0) for h in range(hotels)]
    for h, count in enumerate(per_hotel):
        for i in range(count):
            number = i % ROOMS_PER_FLOOR + 1
            accessible = i < 2
            family = 3 if i // ROOMS_PER_FLOOR % 3 == 2 else 2
            capacity = 2 if accessible else family if number == ROOMS_PER_FLOOR else 1
            slots.append(RoomSlot(key=len(slots) + 1, facility=h + 1, capacity=capacity,
                                  accessible=accessible, district=districts[h % len(districts)]))
    return slots


def first_fit(groups: Sequence[Group], rooms: Sequence[RoomSlot]) -> list[Placement]:
    """The naive plan: groups in arrival order, each into the first free room (in hotel,
    floor, number order) that holds it. Per-type queues give the same answer as a scan."""
    free: dict[tuple[int, bool], deque[RoomSlot]] = defaultdict(deque)
    for r in sorted(rooms, key=lambda r: r.key):
        free[(r.capacity, r.accessible)].append(r)
    placements = []
    for g in sorted(groups, key=lambda g: min(g.keys)):
        heads = [q[0] for q in free.values() if q and fits(g, q[0])]
        if heads:
            room = min(heads, key=lambda r: r.key)
            free[(room.capacity, room.accessible)].popleft()
            placements.append(Placement(g, room))
    return placements


def max_groups(groups: Sequence[Group], rooms: Sequence[RoomSlot]) -> int:
    """The most groups any plan can place (Edmonds-Karp over group and room types)."""
    g_count = _count((g.size, g.needs_accessible) for g in groups)
    r_count = _count((r.capacity, r.accessible) for r in rooms)
    gts, rts = list(g_count), list(r_count)
    n = 2 + len(gts) + len(rts)
    cap = [[0] * n for _ in range(n)]
    for i, gt in enumerate(gts):
        cap[0][2 + i] = g_count[gt]
        for j, rt in enumerate(rts):
            if gt[0] <= rt[0] and (rt[1] or not gt[1]):
                cap[2 + i][2 + len(gts) + j] = g_count[gt]
    for j, rt in enumerate(rts):
        cap[2 + len(gts) + j][1] = r_count[rt]
    flow = 0
    while (path := _augmenting(cap, n)) is not None:
        push = min(cap[u][v] for u, v in path)
        for u, v in path:
            cap[u][v] -= push
            cap[v][u] += push
        flow += push
    return flow


def _count(items: Any) -> dict[Any, int]:
    out: dict[Any, int] = defaultdict(int)
    for item in items:
        out[item] += 1
    return out


def _augmenting(cap: list[list[int]], n: int) -> list[tuple[int, int]] | None:
    via = [-1] * n
    via[0] = 0
    todo = deque([0])
    while todo:
        u = todo.popleft()
        for v in range(n):
            if via[v] < 0 and cap[u][v] > 0:
                via[v] = u
                todo.append(v)
    if via[1] < 0:
        return None
    path, v = [], 1
    while v != 0:
        path.append((via[v], v))
        v = via[v]
    return path


def measures(groups: Sequence[Group], placements: Sequence[Placement], best: int,
             seconds: float) -> dict[str, Any]:
    placed = {p.group.keys for p in placements}
    unplaced = [g for g in groups if g.keys not in placed]
    return {
        "seconds": seconds, "groups": len(groups), "groups_placed": len(placements),
        "max_groups": best, "people_placed": sum(p.group.size for p in placements),
        "rooms_used": len(placements), "rooms_lower_bound": best,
        "family_rooms_to_singles": sum(p.room.capacity > 1 and p.group.size == 1
                                       and not p.group.needs_accessible for p in placements),
        "accessible_to_others": sum(p.room.accessible and not p.group.needs_accessible
                                    for p in placements),
        "families_unplaced": sum(g.size > 1 for g in unplaced),
        "accessible_unplaced": sum(g.needs_accessible for g in unplaced),
        "empty_beds_in_used_rooms": sum(p.room.capacity - p.group.size for p in placements),
        "hotels_used": len({p.room.facility for p in placements}),
    }


def room_cases(people: pd.DataFrame, *, hotels: int, ratios: dict[str, float]
               ) -> list[dict[str, Any]]:
    """Each scenario (rooms = ratio x groups): ours and the naive plan, same groups, rooms."""
    arrivals = arrivals_of(people)
    began = time.perf_counter()
    groups = group_arrivals(arrivals)
    group_s = time.perf_counter() - began
    districts = sorted(people["district"].unique().tolist())
    out = []
    for name, ratio in ratios.items():
        rooms = hotel_rooms(hotels=hotels, rooms=round(ratio * len(groups)), districts=districts)
        best = max_groups(groups, rooms)
        began = time.perf_counter()
        plan = assign(groups, rooms)
        ours = measures(groups, plan.placements, best, group_s + time.perf_counter() - began)
        began = time.perf_counter()
        naive = first_fit(groups, rooms)
        base = measures(groups, naive, best, group_s + time.perf_counter() - began)
        out.append({"scenario": name, "ratio": ratio, "arrivals": len(arrivals),
                    "rooms": len(rooms), "hotels": hotels, "ours": ours, "naive": base})
    return out
