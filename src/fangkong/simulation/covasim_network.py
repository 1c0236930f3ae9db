"""Our population as Covasim contact layers (pure NumPy: Covasim is not imported here), for
the cross-check's matched scenario (``covasim_bridge``). As Covasim edge lists (``Edges``):

* layer ``h``: every pair of household members (edge beta 1);
* layer ``v``: the venue visits of the day's weekday, swapped in each day (day 0 is a
  Monday, as in the agent model): every pair of visits sharing a room of a venue (the agent
  model's unit of venue mixing, at most ``ROOM`` = 40 visits, agents_mixing.py), edge beta
  ``1 / visits of the room``, so a susceptible's daily hazard summed over its edges is
  ``beta_venue × infectious visits / visits``, the agent model's room pressure;
* layer ``t`` (with tracing only, beta 0, swapped in each day): the pairs that shared a room
  on one of the days a case diagnosed today was infectious and free (2 presymptomatic days
  and the test delay, :func:`tracing_window`), so Covasim's tracing finds each of those
  room-mates once, as the agent model traces the room-mates of a case's infectious visits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fangkong.simulation.agents import AgentParams
from fangkong.simulation.agents_history import PRESYMPTOMATIC_DAYS
from fangkong.simulation.agents_mixing import Mixing
from fangkong.simulation.population import Population


@dataclass(frozen=True)
class Edges:
    """One Covasim layer: pairs (int32, Covasim's index type) and their betas."""

    p1: np.ndarray
    p2: np.ndarray
    beta: np.ndarray

    def __len__(self) -> int:
        return len(self.p1)

    def as_layer(self) -> dict[str, np.ndarray]:
        return {"p1": self.p1, "p2": self.p2, "beta": self.beta}

    @classmethod
    def empty(cls) -> Edges:
        return cls(np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.float64))


def _edges(p1: list[np.ndarray], p2: list[np.ndarray], beta: list[np.ndarray]) -> Edges:
    if not p1:
        return Edges.empty()
    a, b, w = np.concatenate(p1), np.concatenate(p2), np.concatenate(beta)
    keep = a != b  # an agent's two visits of one venue are no contact
    return Edges(a[keep].astype(np.int32), b[keep].astype(np.int32), w[keep].astype(np.float64))


def _cliques(members: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
             weight: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """All pairs inside each group (``members[starts[g]:starts[g] + sizes[g]]``), one
    ``triu_indices`` per distinct size rather than a loop over groups."""
    p1s, p2s, betas = [], [], []
    for size in np.unique(sizes[sizes > 1]):
        pick = sizes == size
        block = members[starts[pick][:, None] + np.arange(size)[None, :]]
        i, j = np.triu_indices(int(size), k=1)
        p1s.append(block[:, i].ravel())
        p2s.append(block[:, j].ravel())
        betas.append(np.repeat(weight[pick], len(i)))
    return p1s, p2s, betas


def household_edges(population: Population) -> Edges:
    """Every pair of household members, edge beta 1."""
    order = np.argsort(population.household, kind="stable")
    group = population.household[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else order
    sizes = np.diff(np.r_[starts, len(order)])
    return _edges(*_cliques(order, starts, sizes, np.ones(len(starts))))


def venue_edges(population: Population, mixing: Mixing, weekday: int) -> Edges:
    """The weekday's venue contacts: every pair of visits sharing a room (the agent model's
    unit of venue mixing, at most ``ROOM`` visits), edge beta ``1 / visits of the room``."""
    lo, hi = int(population.visit_ptr[weekday, 0]), int(population.visit_ptr[weekday, -1])
    agent = np.repeat(np.arange(population.size), np.diff(population.visit_ptr[weekday]))
    room = mixing.room_of_visit[lo:hi]
    order = np.argsort(room, kind="stable")
    base = mixing.room_base[weekday]
    first = np.r_[0, np.cumsum(base)[:-1]]
    return _edges(*_cliques(agent[order], first, base, 1.0 / np.maximum(base, 1)))


def week_union(days: tuple[Edges, ...], size: int) -> Edges:
    """Each pair that meets on any of `days` once, beta 0 (a layer tracing looks at)."""
    lo = np.concatenate([np.minimum(e.p1, e.p2) for e in days]).astype(np.int64)
    hi = np.concatenate([np.maximum(e.p1, e.p2) for e in days]).astype(np.int64)
    key = np.unique(lo * size + hi)
    return Edges((key // size).astype(np.int32), (key % size).astype(np.int32),
                 np.zeros(len(key)))


@dataclass(frozen=True)
class Network:
    """Our population as Covasim layers, built once and shared by the runs on it."""

    size: int
    age: np.ndarray
    household: Edges
    venue_days: tuple[Edges, ...]  # Monday first
    _traced: dict[int, tuple[Edges, ...]] = field(default_factory=dict, repr=False,
                                                  compare=False)

    @classmethod
    def build(cls, population: Population) -> Network:
        mixing = Mixing.build(population)
        days = tuple(venue_edges(population, mixing, d) for d in range(7))
        return cls(size=population.size, age=population.age.astype(np.float64),
                   household=household_edges(population), venue_days=days)

    def traced(self, window: int) -> tuple[Edges, ...]:
        """Per weekday of a diagnosis, the room-mate pairs of the `window` days before it
        (all seven weekdays when the window is a week or more); built once per window."""
        if window not in self._traced:
            days = self.venue_days
            if window >= 7:
                self._traced[window] = (week_union(days, self.size),) * 7
            else:
                self._traced[window] = tuple(
                    week_union(tuple(days[(d - k) % 7] for k in range(1, window + 1)),
                               self.size) for d in range(7))
        return self._traced[window]


def tracing_window(params: AgentParams) -> int:
    """Days a symptomatic case diagnosed today was infectious and free: the presymptomatic
    days and the test delay (the agent model traces the room-mates of those visits); the
    whole week when nobody is tested."""
    if not math.isfinite(params.test_delay):
        return 7
    return PRESYMPTOMATIC_DAYS + math.ceil(params.test_delay)
