"""Pure rules of mass screening (no Django, no I/O): the policy's numbers, pooling
arithmetic (Dorfman), the queueing model of a site and the capacity planner."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, kw_only=True)
class PlanPolicy:
    """The numbers of practice (reference/china-practice.md §6), each overridable by the
    dated ``ScreeningPolicy`` version in force."""

    people_per_site: int = 2500  # NHC 13 May 2022: one site per 2,000–3,000 people
    people_per_table: int = 700  # one sampling table per 600–800 people
    swab_seconds: float = 30.0  # one table serves 120 an hour (derived: 100–130)
    sampling_hours: float = 6.0  # 3rd edition: sampling done within 6 h (12 h if hard)
    max_queue_minutes: float = 20.0  # 3rd edition: queueing ≤ 20 min
    staff_per_table: int = 2  # a sampler and a registrar who scans
    shift_hours: float = 6.0  # hours one sampler works in protective clothing
    reserve_fraction: float = 0.2  # staff and tables held back for contingencies
    pickup_minutes: float = 60.0  # a courier run per site at least this often
    transport_minutes: float = 45.0  # site → lab (Xiamen: the lab was 45 min away)
    tubes_per_box: int = 100
    lab_run_hours: float = 4.0  # receipt → result for a tube once its run starts
    receipt_hours: float = 4.0  # alert: sealed tube not at a lab after this (≤ 4 h at room temp)
    result_hours: float = 12.0  # alert: no result this long after sealing
    default_pool_size: int = 10
    max_pool_size: int = 20  # 5/10/20 validated; 30/50-in-1 are not
    expected_prevalence: float = 0.001  # for expected positive pools and retests

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PlanPolicy:
        """Build from stored settings; unknown keys are an error, not silently ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown screening policy settings: {', '.join(unknown)}")
        return cls(**raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def table_rate_per_hour(self) -> float:
        return 3600.0 / self.swab_seconds


# ---------------------------------------------------------------- pooling (Dorfman 1943)

VALIDATED_POOL_SIZES = (1, 5, 10, 20)  # NHC, 9 June 2022; 30/50-in-1 are not validated


def _check_fraction(name: str, value: float, *, closed: bool = False) -> None:
    inside = 0.0 <= value <= 1.0 if closed else 0.0 < value < 1.0
    if not inside:
        bounds = "[0, 1]" if closed else "(0, 1)"
        raise ValueError(f"{name} must lie in {bounds}, got {value}")


def dorfman_tests_per_person(k: int, p: float, *, sensitivity: float = 1.0,
                             specificity: float = 1.0) -> float:
    """Expected tests per person when pools of ``k`` are tested and the members of a positive
    pool are each retested: E = 1/k + Se·(1−(1−p)^k) + (1−Sp)·(1−p)^k (Se = Sp = 1 gives
    Dorfman's 1/k + 1 − (1−p)^k). A pool of one is a single tube: one test per person."""
    if k < 1:
        raise ValueError(f"pool size must be at least 1, got {k}")
    _check_fraction("prevalence", p, closed=True)
    _check_fraction("sensitivity", sensitivity, closed=True)
    _check_fraction("specificity", specificity, closed=True)
    if k == 1:
        return 1.0
    clean = (1.0 - p) ** k
    return 1.0 / k + sensitivity * (1.0 - clean) + (1.0 - specificity) * clean


@dataclass(frozen=True)
class PoolChoice:
    """The best pool size found, its expected tests per person and the share of tests saved
    against single tubes; ``sensitivity`` is the two-stage one (Se² for pools, Se alone)."""

    k: int
    tests_per_person: float
    saving: float
    sensitivity: float


def best_pool_size(p: float, *, max_pool: int = 200, sensitivity: float = 1.0,
                   specificity: float = 1.0) -> PoolChoice:
    """The k in 2..max_pool with the fewest expected tests, or 1 (single tubes) when no pool
    beats one test per person. Ties go to the smaller pool (less dilution)."""
    _check_fraction("prevalence", p)
    if max_pool < 1:
        raise ValueError(f"max pool must be at least 1, got {max_pool}")
    best_k, best_e = 1, 1.0
    for k in range(2, max_pool + 1):
        e = dorfman_tests_per_person(k, p, sensitivity=sensitivity, specificity=specificity)
        if e < best_e - 1e-12:
            best_k, best_e = k, e
    return PoolChoice(k=best_k, tests_per_person=best_e, saving=1.0 - best_e,
                      sensitivity=sensitivity ** 2 if best_k > 1 else sensitivity)


def break_even_prevalence(*, max_pool: int = 200, tolerance: float = 1e-9) -> float:
    """The prevalence above which no Dorfman pool beats single tubes (perfect test), by
    bisection: the best E rises with p, so the crossing of E = 1 is unique."""
    low, high = 1e-9, 1.0 - 1e-9
    while high - low > tolerance:
        mid = (low + high) / 2
        if best_pool_size(mid, max_pool=max_pool).k > 1:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def positive_pool_share(k: int, p: float) -> float:
    """Chance that a full pool of ``k`` holds at least one positive (perfect test)."""
    return 1.0 - (1.0 - p) ** k


# ---------------------------------------------------------------- the queue at a site (M/M/c)


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits (Erlang C) with ``servers`` tables and offered load
    ``offered`` = λ/μ; 1 when the queue is unstable (load ≥ servers). Computed through the
    Erlang B recurrence, which stays finite where a^c/c! would overflow."""
    if servers < 1:
        raise ValueError("a site needs at least one table")
    if offered <= 0:
        return 0.0
    if offered >= servers:
        return 1.0
    blocked = 1.0
    for n in range(1, servers + 1):
        blocked = offered * blocked / (n + offered * blocked)
    return servers * blocked / (servers - offered * (1.0 - blocked))


@dataclass(frozen=True)
class Queue:
    """Steady state of an M/M/c queue: mean wait before the swab (minutes), mean number
    waiting, and the tables' utilisation; the wait is infinite when utilisation ≥ 1."""

    wait_minutes: float
    length: float
    utilisation: float


def mm_c_queue(*, arrivals_per_hour: float, service_per_hour: float, servers: int) -> Queue:
    """Wq = C(c, a) / (cμ − λ) and Lq = λ·Wq, with a = λ/μ (Erlang C)."""
    if service_per_hour <= 0:
        raise ValueError("service rate must be positive")
    offered = arrivals_per_hour / service_per_hour
    utilisation = offered / servers
    if utilisation >= 1.0:
        return Queue(wait_minutes=math.inf, length=math.inf, utilisation=utilisation)
    wait_hours = erlang_c(servers, offered) / (servers * service_per_hour - arrivals_per_hour)
    return Queue(wait_minutes=wait_hours * 60.0, length=arrivals_per_hour * wait_hours,
                 utilisation=utilisation)


def site_queue(people: int, tables: int, policy: PlanPolicy) -> Queue:
    """The queue when ``people`` arrive evenly over the sampling window."""
    return mm_c_queue(arrivals_per_hour=people / policy.sampling_hours,
                      service_per_hour=policy.table_rate_per_hour, servers=tables)


def tables_needed(people: int, policy: PlanPolicy) -> int:
    """The fewest tables with at least one per ``people_per_table`` and a mean wait within
    ``max_queue_minutes``."""
    if people <= 0:
        return 0
    tables = max(1, math.ceil(people / policy.people_per_table))
    while site_queue(people, tables, policy).wait_minutes > policy.max_queue_minutes:
        tables += 1
    return tables


# ---------------------------------------------------------------- the capacity planner


@dataclass(frozen=True)
class GridDemand:
    """One grid to be sampled: its residents, its centre and the pool size of its area."""

    grid_id: int
    population: int
    lat: float | None
    lon: float | None
    pool_size: int


@dataclass(frozen=True)
class SitePlan:
    """One planned site: ``number`` counts the sites of its grid from 1."""

    grid_id: int
    number: int
    people: int
    tables: int
    wait_minutes: float
    queue_length: float
    utilisation: float
    pool_size: int
    tubes: int
    boxes: int
    courier_runs: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class Notice:
    """A warning, as a code and its numbers, so the caller words it in the user's language."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class RoundPlan:
    """What a round needs. Staff are counted per shift worked (a person may work one shift);
    reserves are held back for contingencies and are not in the queue model."""

    sites: tuple[SitePlan, ...]
    people: int
    tables: int
    reserve_tables: int
    shifts: int
    samplers: int
    registrars: int
    reserve_samplers: int
    reserve_registrars: int
    practice_samplers: int  # population ÷ 360, the 3rd edition's rule of thumb
    tubes: int
    reserve_tubes: int
    retest_tubes: int  # single tubes for the members of the expected positive pools
    boxes: int
    courier_runs: int
    couriers: int
    expected_positive_pools: float
    expected_retests: float
    lab_tubes_per_hour: float
    lab_capacity: float | None
    results_by_hours: float
    target_hours: float
    warnings: tuple[Notice, ...]


def split_sites(population: int, policy: PlanPolicy) -> list[int]:
    """People per site: one site per ``people_per_site`` begun, shared as evenly as can be."""
    if population <= 0:
        return []
    count = math.ceil(population / policy.people_per_site)
    base, extra = divmod(population, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def courier_runs_per_site(policy: PlanPolicy) -> int:
    """Pickups at every ``pickup_minutes`` of the window, the last one at closing."""
    return max(1, math.ceil(policy.sampling_hours * 60.0 / policy.pickup_minutes))


def plan_site(grid: GridDemand, number: int, people: int, policy: PlanPolicy) -> SitePlan:
    tables = tables_needed(people, policy)
    queue = site_queue(people, tables, policy)
    tubes = math.ceil(people / max(1, grid.pool_size))
    runs = min(courier_runs_per_site(policy), tubes)  # no run for an empty box
    boxes = _boxes(tubes, runs, policy.tubes_per_box)
    return SitePlan(grid_id=grid.grid_id, number=number, people=people, tables=tables,
                    wait_minutes=queue.wait_minutes, queue_length=queue.length,
                    utilisation=queue.utilisation, pool_size=grid.pool_size, tubes=tubes,
                    boxes=boxes, courier_runs=runs, lat=grid.lat, lon=grid.lon)


def _boxes(tubes: int, runs: int, per_box: int) -> int:
    """Boxes when the tubes are shared as evenly as can be among the runs."""
    if runs <= 0:
        return 0
    base, extra = divmod(tubes, runs)
    return extra * math.ceil((base + 1) / per_box) + (runs - extra) * math.ceil(base / per_box)


def _lab_timing(tubes: int, policy: PlanPolicy, target_hours: float,
                capacity: float | None) -> tuple[float, float]:
    """The lab rate needed to have every result within ``target_hours`` of opening, and the
    hour the last result is expected at with ``capacity`` (the best case when None).

    Tubes reach the lab from the first pickup plus transport until closing plus transport; a
    tube's result comes ``lab_run_hours`` after its run starts."""
    first = (policy.pickup_minutes + policy.transport_minutes) / 60.0
    last = policy.sampling_hours + policy.transport_minutes / 60.0
    window = target_hours - policy.lab_run_hours - first
    if target_hours >= last + policy.lab_run_hours and window > 0:
        need = tubes / window
    else:  # no rate is enough: keep up with arrivals and finish as early as possible
        need = tubes / max(last - first, 1e-9)
    if capacity is None:
        started = last
    elif capacity <= 0:
        started = math.inf
    else:
        started = max(last, first + tubes / capacity)
    return need, started + policy.lab_run_hours


def plan_round(grids: list[GridDemand], policy: PlanPolicy, *, target_hours: float,
               lab_capacity: float | None = None,
               prevalence: float | None = None) -> RoundPlan:
    """Sites, tables, staff, tubes, transport and lab throughput for a round over ``grids``.
    ``lab_capacity`` is the tubes per hour of the labs in scope (None: not compared);
    ``prevalence`` defaults to the policy's expected prevalence."""
    p = policy.expected_prevalence if prevalence is None else prevalence
    sites = tuple(plan_site(g, n, people, policy) for g in grids
                  for n, people in enumerate(split_sites(g.population, policy), start=1))
    tables = sum(s.tables for s in sites)
    tubes = sum(s.tubes for s in sites)
    positive = sum(s.tubes * positive_pool_share(s.pool_size, p) for s in sites
                   if s.pool_size > 1)
    retests = sum(s.tubes * positive_pool_share(s.pool_size, p) * s.pool_size for s in sites
                  if s.pool_size > 1)
    shifts = max(1, math.ceil(policy.sampling_hours / policy.shift_hours))
    samplers, registrars = tables * shifts, tables * shifts * max(0, policy.staff_per_table - 1)
    runs = sum(s.courier_runs for s in sites)
    need, results_by = _lab_timing(tubes, policy, target_hours, lab_capacity)
    people = sum(s.people for s in sites)
    return RoundPlan(
        sites=sites, people=people, tables=tables, reserve_tables=_reserve(tables, policy),
        shifts=shifts, samplers=samplers, registrars=registrars,
        reserve_samplers=_reserve(samplers, policy),
        reserve_registrars=_reserve(registrars, policy),
        practice_samplers=math.ceil(people / 360), tubes=tubes,
        reserve_tubes=_reserve(tubes, policy), retest_tubes=math.ceil(retests - 1e-9),
        boxes=sum(s.boxes for s in sites), courier_runs=runs,
        couriers=math.ceil(runs * 2 * policy.transport_minutes / 60 / policy.sampling_hours),
        expected_positive_pools=positive, expected_retests=retests, lab_tubes_per_hour=need,
        lab_capacity=lab_capacity, results_by_hours=results_by, target_hours=target_hours,
        warnings=tuple(_warnings(grids, policy, target_hours=target_hours, need=need,
                                 capacity=lab_capacity, results_by=results_by)))


def _reserve(count: int, policy: PlanPolicy) -> int:
    return math.ceil(count * policy.reserve_fraction - 1e-9)


def _warnings(grids: list[GridDemand], policy: PlanPolicy, *, target_hours: float,
              need: float, capacity: float | None, results_by: float) -> list[Notice]:
    found: list[Notice] = []
    fastest = policy.sampling_hours + policy.transport_minutes / 60 + policy.lab_run_hours
    if target_hours < fastest:
        found.append(Notice("target_unreachable", (("target", target_hours),
                                                   ("fastest", round(fastest, 2)))))
    if capacity is not None and capacity <= 0 and need > 0:
        found.append(Notice("no_lab"))
    elif capacity is not None and capacity < need:
        found.append(Notice("lab_short", (("capacity", capacity), ("need", math.ceil(need)),
                                          ("results_by", round(results_by, 1)))))
    unplaced = sum(1 for g in grids if g.population > 0 and (g.lat is None or g.lon is None))
    if unplaced:
        found.append(Notice("no_position", (("grids", unplaced),)))
    odd = sorted({g.pool_size for g in grids if g.pool_size not in VALIDATED_POOL_SIZES
                  or g.pool_size > policy.max_pool_size})
    found += [Notice("pool_unvalidated", (("pool_size", k),)) for k in odd]
    if not any(g.population > 0 for g in grids):
        found.append(Notice("nobody"))
    return found
