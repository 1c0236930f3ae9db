"""Pure rules of room assignment (no Django): who shares a room, and which room each group gets.

One person per room, with the family exceptions of the 2022 design guide: a child under 14
stays with one adult carer of the same household, and a person who needs care (over 80 living
alone, disabled) may stay with one adult carer of the household. Households are never mixed.

``assign`` places the **maximum number of groups** exactly. Whether a group fits a room
depends only on (group size, needs an accessible room) and (room capacity, accessible), so the
problem reduces to a min-cost max-flow over at most a few dozen types, solved exactly by
successive shortest paths. Its costs rank, strictly in this order among maximum plans: placing
families and people needing accessible rooms, the smallest adequate rooms, not spending
accessible rooms on those who do not need them, facilities already in use. The rooms of each
type are then handed out keeping a household in one facility and near its home district.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CHILD_UNDER = 14  # the age below which a child is never alone in a room
ADULT_FROM = 18  # the age from which a person may be a carer

REASON_NO_ROOMS = "no_rooms"  # no ready room was offered at all
REASON_TOO_LARGE = "too_large"  # no room of the facilities holds the group
REASON_NO_ACCESSIBLE = "no_accessible"  # no accessible room large enough
REASON_RAN_OUT = "ran_out"  # rooms that fit exist but a maximum plan uses them for others


@dataclass(frozen=True)
class Arrival:
    """A person to place; ``age`` None (unknown birth date) counts as an adult."""

    key: int
    household: int | None
    age: int | None
    needs_care: bool = False
    needs_accessible: bool = False
    home_district: int | None = None


@dataclass(frozen=True)
class Group:
    """People who share one room; ``kind``: single, child_carer, care_carer, children."""

    members: tuple[Arrival, ...]
    kind: str

    @property
    def keys(self) -> tuple[int, ...]:
        return tuple(a.key for a in self.members)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def household(self) -> int | None:
        return self.members[0].household

    @property
    def needs_accessible(self) -> bool:
        return any(a.needs_accessible for a in self.members)

    @property
    def home_district(self) -> int | None:
        return self.members[0].home_district

    @property
    def vulnerable(self) -> bool:
        """Families and people needing an accessible room are placed first in a shortage."""
        return self.size > 1 or self.needs_accessible


@dataclass(frozen=True)
class RoomSlot:
    """A ready room offered to the plan."""

    key: int
    facility: int
    capacity: int
    accessible: bool = False
    active: bool = True
    district: int | None = None


@dataclass(frozen=True)
class Placement:
    group: Group
    room: RoomSlot


@dataclass(frozen=True)
class Unplaced:
    group: Group
    reason: str


@dataclass
class Plan:
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)

    @property
    def people_placed(self) -> int:
        return sum(p.group.size for p in self.placements)

    @property
    def people_unplaced(self) -> int:
        return sum(u.group.size for u in self.unplaced)


def fits(group: Group, room: RoomSlot) -> bool:
    return group.size <= room.capacity and (room.accessible or not group.needs_accessible)


def _is_child(a: Arrival, child_under: int) -> bool:
    return a.age is not None and a.age < child_under


def _is_carer(a: Arrival, adult_from: int) -> bool:
    return (a.age is None or a.age >= adult_from) and not a.needs_care


def _household_groups(people: list[Arrival], child_under: int, adult_from: int) -> list[Group]:
    children = [a for a in people if _is_child(a, child_under)]
    carers = [a for a in people if _is_carer(a, adult_from)]
    cared = [a for a in people if a.needs_care and not _is_child(a, child_under)]
    others = [a for a in people if a not in children and a not in carers and a not in cared]
    if children and not carers:
        groups = [Group(tuple(children), "children")]
        children = []
    else:
        groups = []
    # Children spread over the carers, so rooms stay small (a parent each with one child).
    with_children: dict[int, list[Arrival]] = defaultdict(list)
    for i, child in enumerate(children):
        with_children[i % len(carers)].append(child)
    groups += [Group((carers[i], *kids), "child_carer") for i, kids in with_children.items()]
    free = [c for i, c in enumerate(carers) if i not in with_children]
    for person in cared:
        if free:
            groups.append(Group((person, free.pop(0)), "care_carer"))
        else:
            groups.append(Group((person,), "single"))
    groups += [Group((a,), "single") for a in (*free, *others)]
    return groups


def group_arrivals(arrivals: Iterable[Arrival], *, child_under: int = CHILD_UNDER,
                   adult_from: int = ADULT_FROM) -> list[Group]:
    """Split arrivals into room groups, household by household (never mixing two)."""
    households: dict[object, list[Arrival]] = defaultdict(list)
    for a in sorted(arrivals, key=lambda a: a.key):
        households[a.household if a.household is not None else ("alone", a.key)].append(a)
    groups: list[Group] = []
    for people in households.values():
        groups += _household_groups(people, child_under, adult_from)
    return groups


def min_cost_max_flow(n: int, edges: Sequence[tuple[int, int, int, int]], source: int,
                      sink: int) -> list[int]:
    """Flow on each ``(u, v, capacity, cost)`` edge of a maximum flow of least cost
    (successive shortest paths, Bellman-Ford: costs may be negative, the graph has no cycle)."""
    graph: list[list[int]] = [[] for _ in range(n)]
    to: list[int] = []
    cap: list[int] = []
    cost: list[int] = []
    for u, v, c, w in edges:
        for a, b, cc, ww in ((u, v, c, w), (v, u, 0, -w)):
            graph[a].append(len(to))
            to.append(b)
            cap.append(cc)
            cost.append(ww)
    while True:
        dist: list[float] = [float("inf")] * n
        via = [-1] * n
        dist[source] = 0
        changed = True
        while changed:
            changed = False
            for u in range(n):
                if dist[u] == float("inf"):
                    continue
                for e in graph[u]:
                    if cap[e] > 0 and dist[u] + cost[e] < dist[to[e]]:
                        dist[to[e]], via[to[e]], changed = dist[u] + cost[e], e, True
        if via[sink] < 0:
            return [cap[2 * i + 1] for i in range(len(edges))]
        push, v = float("inf"), sink
        while v != source:
            push, v = min(push, cap[via[v]]), to[via[v] ^ 1]
        v = sink
        while v != source:
            cap[via[v]] -= int(push)
            cap[via[v] ^ 1] += int(push)
            v = to[via[v] ^ 1]


GroupType = tuple[int, bool]  # size, needs accessible
RoomType = tuple[int, bool, bool]  # capacity, accessible, facility active


def _type_costs(gt: GroupType, rt: RoomType, n: int) -> int:
    """Lexicographic ranks as one integer: each weight outweighs all lesser ones summed."""
    w = n + 1
    slack = rt[0] - gt[0]
    wasted_access = int(rt[1] and not gt[1])
    standby = int(not rt[2])
    return slack * w * w + wasted_access * w + standby


def _type_flow(groups: Sequence[Group], rooms: Sequence[RoomSlot]
               ) -> dict[tuple[GroupType, RoomType], int]:
    """How many groups of each type go to rooms of each type, in a best maximum plan."""
    g_count: dict[GroupType, int] = defaultdict(int)
    for g in groups:
        g_count[(g.size, g.needs_accessible)] += 1
    r_count: dict[RoomType, int] = defaultdict(int)
    for r in rooms:
        r_count[(r.capacity, r.accessible, r.active)] += 1
    n = len(groups)
    w = n + 1
    top = 7 * w ** 3  # outweighs every lesser rank (slack is at most 6 per group)
    gts, rts = sorted(g_count), sorted(r_count)
    source, sink = 0, 1 + len(gts) + len(rts)
    edges: list[tuple[int, int, int, int]] = []
    for i, gt in enumerate(gts):
        vulnerable = gt[0] > 1 or gt[1]
        edges.append((source, 1 + i, g_count[gt], -top if vulnerable else 0))
        for j, rt in enumerate(rts):
            if gt[0] <= rt[0] and (rt[1] or not gt[1]):
                edges.append((1 + i, 1 + len(gts) + j, g_count[gt], _type_costs(gt, rt, n)))
    for j, rt in enumerate(rts):
        edges.append((1 + len(gts) + j, sink, r_count[rt], 0))
    flows = min_cost_max_flow(sink + 1, edges, source, sink)
    result: dict[tuple[GroupType, RoomType], int] = {}
    for (u, v, _cap, _cost), f in zip(edges, flows, strict=True):
        if f and u != source and v != sink:
            result[(gts[u - 1], rts[v - 1 - len(gts)])] = f
    return result


def _reason(group: Group, rooms: Sequence[RoomSlot]) -> str:
    if not rooms:
        return REASON_NO_ROOMS
    if not any(r.capacity >= group.size for r in rooms):
        return REASON_TOO_LARGE
    if not any(fits(group, r) for r in rooms):
        return REASON_NO_ACCESSIBLE
    return REASON_RAN_OUT


class _Pool:
    """Remaining rooms by type and facility. Facilities fill one after another (fewer sites
    to staff), a household's later groups follow its first, the home district comes first."""

    def __init__(self, rooms: Sequence[RoomSlot]) -> None:
        self.free: dict[tuple[RoomType, int], list[RoomSlot]] = defaultdict(list)
        sites: dict[tuple[RoomType, object], set[int]] = defaultdict(set)
        for r in sorted(rooms, key=lambda r: r.key, reverse=True):
            rt = (r.capacity, r.accessible, r.active)
            self.free[(rt, r.facility)].append(r)
            sites[(rt, ("district", r.district))].add(r.facility)
            sites[(rt, "all")].add(r.facility)
        self.order = {k: sorted(v) for k, v in sites.items()}
        self.pos: dict[tuple[RoomType, object], int] = defaultdict(int)

    def _first(self, rt: RoomType, where: object) -> int | None:
        """The first facility of ``where`` with a free room of type ``rt`` (amortised O(1):
        rooms are never given back, so the pointer only moves forward)."""
        facilities = self.order.get((rt, where), [])
        i = self.pos[(rt, where)]
        while i < len(facilities) and not self.free[(rt, facilities[i])]:
            i += 1
        self.pos[(rt, where)] = i
        return facilities[i] if i < len(facilities) else None

    def take(self, types: list[RoomType], group: Group, home: int | None) -> RoomSlot:
        if home is not None:
            for rt in types:
                if self.free[(rt, home)]:
                    return self.free[(rt, home)].pop()
        for where in (("district", group.home_district), "all"):
            found = [(f, rt) for rt in types if (f := self._first(rt, where)) is not None]
            if found:
                facility, rt = min(found)
                return self.free[(rt, facility)].pop()
        raise AssertionError("the type flow promised a room")  # pragma: no cover


def assign(groups: Sequence[Group], rooms: Sequence[RoomSlot]) -> Plan:
    """A plan placing the most groups (one group per room); the rest with their reason."""
    quota = _type_flow(groups, rooms)
    placed_per_type: dict[GroupType, int] = defaultdict(int)
    for (gt, _rt), f in quota.items():
        placed_per_type[gt] += f
    ordered = sorted(groups, key=lambda g: (str(g.household), g.keys))
    pool, plan = _Pool(rooms), Plan()
    household_facility: dict[object, int] = {}
    for group in ordered:
        gt = (group.size, group.needs_accessible)
        if placed_per_type[gt] == 0:
            plan.unplaced.append(Unplaced(group, _reason(group, rooms)))
            continue
        placed_per_type[gt] -= 1
        types = [rt for (g, rt), f in quota.items() if g == gt and f > 0]
        household = group.household if group.household is not None else ("alone", group.keys)
        room = pool.take(types, group, household_facility.get(household))
        quota[(gt, (room.capacity, room.accessible, room.active))] -= 1
        household_facility.setdefault(household, room.facility)
        plan.placements.append(Placement(group, room))
    return plan
