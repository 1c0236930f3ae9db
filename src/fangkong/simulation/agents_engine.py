"""One run of the agent model, day by day (the model is described in agents.py). Pure NumPy.

A day: the results, quarantine exits and entries falling due → isolation, tracing and sealing
of the newly found → a screening round if one is due → transmission in households and venues
→ the day's counts. Every random draw comes from the run's one generator, in this order, so a
run depends only on its seed and parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from fangkong.simulation.agents_control import (
    LOOKBACK,
    SCREEN_RESULT_DAYS,
    Control,
    pcr_positive,
    pool_positive,
    seal_area,
    trace_all,
)
from fangkong.simulation.agents_history import NEVER, Course
from fangkong.simulation.agents_mixing import (
    Mixing,
    first_exposures,
    household_exposures,
    venue_day,
    venue_exposures,
)
from fangkong.simulation.population import Population

if TYPE_CHECKING:
    from fangkong.simulation.agents import AgentParams

SERIES = ("new_infections", "infectious", "exposed", "recovered", "detected", "in_quarantine",
          "sealed_agents", "tests")
GENERATIONS = 5


@dataclass
class Engine:
    pop: Population
    mix: Mixing
    params: AgentParams
    rng: np.random.Generator
    course: Course = field(init=False)
    ctl: Control = field(init=False)
    infector: np.ndarray = field(init=False)
    live: np.ndarray = field(init=False)  # infected, not yet recovered
    total: int = 0
    area: np.ndarray | None = None
    series: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.pop.size
        self.course = Course.empty(n)
        self.ctl = Control(n)
        self.infector = np.full(n, -1, dtype=np.int32)
        self.live = np.zeros(0, dtype=np.int64)
        self.area = seal_area(self.pop, self.params.seal)
        if self.area is not None:
            size = int(self.area.max()) + 1 if n else 0
            self.ctl.seal_until = np.zeros(size, dtype=np.int32)
        self.series = {k: np.zeros(self.params.days, dtype=np.int64) for k in SERIES}

    def run(self) -> None:
        self.seed_infections()
        for day in range(self.params.days):
            found = self.due_events(day)
            self.found(found, day)
            self.screen(day)
            new = self.transmit(day)
            self.record(day, new)

    def seed_infections(self) -> None:
        n = self.pop.size
        idx = self.rng.choice(n, size=min(self.params.initial_infected, n), replace=False)
        idx = np.sort(idx).astype(np.int64)
        days = self.rng.integers(-3, 1, len(idx)).astype(np.int32)
        self.infect(idx, days, np.zeros(len(idx), np.int16), first_day=0)

    def infect(self, idx: np.ndarray, day: np.ndarray | int, generation: np.ndarray,
               *, first_day: int) -> None:
        """New infections; their symptomatic test results are booked."""
        self.course.infect(rng=self.rng, idx=idx, day=day, age=self.pop.age,
                           generation=generation)
        self.total += len(idx)
        self.live = np.concatenate([self.live, idx])
        onset = self.course.onset[idx]
        sick = idx[onset < NEVER]
        if np.isfinite(self.params.test_delay) and len(sick):
            delay = np.floor(self.params.test_delay + self.rng.random(len(sick)))
            due = np.maximum(self.course.onset[sick] + delay.astype(np.int32), first_day)
            for when in np.unique(due):
                self.ctl.schedule(self.ctl.due_result, int(when), sick[due == when])

    def due_events(self, day: int) -> list[np.ndarray]:
        """Positives whose result is known today (isolated from today)."""
        ctl, rng, course = self.ctl, self.rng, self.course
        fresh = ctl.detected == NEVER
        sick = ctl.take(ctl.due_result, day)
        sick = sick[fresh[sick]]
        ctl.tubes += len(sick)
        found = [sick, ctl.take(ctl.due_found, day)]
        leaving = ctl.take(ctl.due_exit, day)
        leaving = leaving[fresh[leaving] & (ctl.q_until[leaving] == day)]
        ctl.tubes += len(leaving)
        found.append(leaving[pcr_positive(rng, course, leaving, day)])
        found.append(self.enter_quarantine(day))
        found.append(self.hold(day))
        return found

    def enter_quarantine(self, day: int) -> np.ndarray:
        """Traced contacts due today go in (unless isolated or already in); entry tube."""
        ctl = self.ctl
        who = ctl.take(ctl.due_quarantine, day)
        who = who[(ctl.detected[who] == NEVER) & ~ctl.quarantined(day)[who]]
        ctl.q_from[who] = day
        ctl.q_until[who] = day + self.params.quarantine_days
        ctl.schedule(ctl.due_exit, day + self.params.quarantine_days, who)
        ctl.tubes += len(who)
        return who[pcr_positive(self.rng, self.course, who, day)]

    def hold(self, day: int) -> np.ndarray:
        """Members of positive pools are held today and retested one by one; the result
        comes tomorrow (booked as found then). Returns nobody found today."""
        ctl = self.ctl
        who = ctl.take(ctl.due_hold, day)
        who = who[(ctl.detected[who] == NEVER) & ~ctl.quarantined(day)[who]]
        ctl.q_from[who] = day
        ctl.q_until[who] = day + SCREEN_RESULT_DAYS
        ctl.tubes += len(who)
        positive = who[pcr_positive(self.rng, self.course, who, day)]
        ctl.schedule(ctl.due_found, day + SCREEN_RESULT_DAYS, positive)
        return np.zeros(0, np.int64)

    def found(self, parts: list[np.ndarray], day: int) -> None:
        """Isolate the newly found, trace their contacts, seal their areas."""
        cases = np.unique(np.concatenate(parts))
        cases = cases[self.ctl.detected[cases] == NEVER]
        self.series["detected"][day] = len(cases)
        if len(cases) == 0:
            return
        self.ctl.detected[cases] = day
        p = self.params
        trace_all(rng=self.rng, ctl=self.ctl, pop=self.pop, mix=self.mix, cases=cases,
                  day=day, coverage=p.trace_coverage, delay=p.trace_delay)
        if self.area is not None:
            hit = np.unique(self.area[cases])
            self.ctl.seal_until[hit] = np.maximum(self.ctl.seal_until[hit], day + p.seal_days)

    def screen(self, day: int) -> None:
        """A screening round today if one is due: swabs pooled in household order."""
        p, ctl = self.params, self.ctl
        if p.screening_interval <= 0 or day == 0 or day % p.screening_interval:
            return
        free = ~(ctl.isolated(day) | ctl.quarantined(day))
        take = free & (self.rng.random(self.pop.size) < p.screening_coverage)
        order = self.mix.household_member[take[self.mix.household_member]].astype(np.int64)
        members, pools = pool_positive(rng=self.rng, course=self.course, order=order, day=day,
                                       pool_size=p.pool_size)
        ctl.tubes += pools
        book = ctl.due_found if p.pool_size == 1 else ctl.due_hold
        ctl.schedule(book, day + SCREEN_RESULT_DAYS, members)

    def sealed(self, day: int) -> np.ndarray | None:
        if self.area is None or not (self.ctl.seal_until > day).any():
            return None
        return self.ctl.seal_until[self.area] > day

    def transmit(self, day: int) -> np.ndarray:
        """Today's infections in households and at venues; returns the infectees."""
        ctl, p, course = self.ctl, self.params, self.course
        live = self.live
        weight = course.infectiousness(live, day)
        closed = ctl.isolated(day) | ctl.quarantined(day)
        keep = (weight > 0) & ~closed[live]
        src, weight = live[keep], weight[keep]
        susceptible = (course.infected == NEVER) & ~closed
        parts = [household_exposures(rng=self.rng, pop=self.pop, mix=self.mix, src=src,
                                     weight=weight, open_target=susceptible,
                                     beta=p.beta_household)]
        sealed = self.sealed(day)
        if sealed is not None:
            closed = closed | sealed
            keep = ~sealed[src]
            src, weight = src[keep], weight[keep]
        tracing = p.trace_coverage > 0
        keep = ~closed if tracing else susceptible & ~closed
        today = venue_day(pop=self.pop, mix=self.mix, weekday=day % 7, src=src, keep=keep)
        if tracing:
            ctl.venue_log[day] = today
            ctl.venue_log.pop(day - LOOKBACK, None)
        by_agent = np.zeros(self.pop.size)
        by_agent[src] = weight
        parts.append(venue_exposures(rng=self.rng, day=today,
                                     weight=by_agent[today.source_agent],
                                     visitors=self.mix.room_base[day % 7],
                                     susceptible=susceptible, beta=p.beta_venue))
        new = first_exposures(parts, rng=self.rng)
        self.infector[new.infectee] = new.infector
        self.infect(new.infectee, day, course.generation[new.infector] + 1, first_day=day + 1)
        return new.infectee

    def record(self, day: int, new: np.ndarray) -> None:
        s, course = self.series, self.course
        self.live = self.live[course.end(self.live) > day]
        start = course.start[self.live]
        s["new_infections"][day] = len(new)
        s["exposed"][day] = int((start > day).sum())
        s["infectious"][day] = len(self.live) - s["exposed"][day]
        s["recovered"][day] = self.total - len(self.live)
        s["in_quarantine"][day] = int(self.ctl.quarantined(day).sum())
        sealed = self.sealed(day)
        s["sealed_agents"][day] = 0 if sealed is None else int(sealed.sum())
        s["tests"][day] = self.ctl.tubes
        self.ctl.tubes = 0

    def generation_sizes(self) -> np.ndarray:
        """Infections of generations 0..GENERATIONS (0: the initial ones)."""
        gen = self.course.generation
        return np.bincount(gen[gen >= 0], minlength=GENERATIONS + 1)[:GENERATIONS + 1]

    def generation_r(self) -> np.ndarray:
        """Mean offspring of generations 0..GENERATIONS−1; NaN where a generation is empty
        or not all of it has recovered by the last day."""
        gen, out = self.course.generation, np.full(GENERATIONS, np.nan)
        infected = np.flatnonzero(gen >= 0)
        done = self.course.end(infected) <= self.params.days
        counts = np.bincount(gen[infected], minlength=GENERATIONS + 1)
        unfinished = np.bincount(gen[infected[~done]], minlength=GENERATIONS + 1)
        for g in range(GENERATIONS):
            if counts[g] and not unfinished[g]:
                out[g] = counts[g + 1] / counts[g]
        return out
