"""Natural history of an infection in the agent model, in whole days. Pure NumPy.

Course of one infection on day t (all durations from published distributions):

- incubation ~ lognormal(meanlog 1.644, sdlog 0.363) days (Ferretti 2020 / Lauer 2020, mean
  5.5 d), rounded to whole days (at least 1);
- infectious from 2 days before onset (latent period = incubation − 2, at least 1 day) for
  ``len(PROFILE)`` = 9 days, then recovered (immune for the horizon of a run);
- symptomatic with the age-specific probability Covasim uses (0.50 at 0–9 … 0.90 at 80+),
  which gives 30–40 % asymptomatic infections on the synthetic city; asymptomatic infections
  transmit at ``ASYMPTOMATIC_REL`` = 0.5 of a symptomatic one (as the synthetic outbreak);
- infectiousness by day since becoming infectious follows ``PROFILE`` (peaks around onset,
  falls over a week), so 37 % of an untreated case's transmission falls before onset
  (Ferretti 2020: 37 %; He 2020: 44 %);
- each infection's infectiousness is scaled by a gamma(k, 1/k) draw with k = 0.16, the
  dispersion Hellewell 2020 uses, so a few cases cause most transmission;
- viral load (log10 copies/ml) is a hinge after Larremore 2021: 3 one day before becoming
  infectious, rising linearly to a peak ~ U(7, 11) at onset (day 2 when asymptomatic), falling
  to 6 when infectiousness ends and to 3 over a further U(3, 6) days. A PCR tube is positive
  above 10^3 copies; a sample's load varies by swab (normal, sd 0.5 log10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEVER = np.iinfo(np.int32).max
INCUBATION_LOG = (1.644, 0.363)
PRESYMPTOMATIC_DAYS = 2
PROFILE = np.array([1.0, 1.0, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1])
SYMPTOMATIC_BY_DECADE = np.array([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9])
ASYMPTOMATIC_REL = 0.5
DISPERSION = 0.16
PEAK_LOG = (7.0, 11.0)
TAIL_DAYS = (3.0, 6.0)
LOD_LOG = 3.0  # PCR limit of detection, log10 copies/ml
SWAB_SD = 0.5


def presymptomatic_share() -> float:
    """Share of an untreated symptomatic case's infectiousness before its onset."""
    return float(PROFILE[:PRESYMPTOMATIC_DAYS].sum() / PROFILE.sum())


@dataclass
class Course:
    """Per-agent course of infection (NEVER where it does not apply)."""

    infected: np.ndarray  # day of infection (int32)
    start: np.ndarray  # first infectious day
    onset: np.ndarray  # symptom onset (NEVER if asymptomatic)
    mult: np.ndarray  # infectiousness multiplier (float32)
    peak: np.ndarray  # peak log10 viral load (float32)
    tail: np.ndarray  # days from the end of infectiousness to the LoD (float32)
    generation: np.ndarray  # 0 for the initial infections (int16)

    @classmethod
    def empty(cls, n: int) -> Course:
        never = np.full(n, NEVER, dtype=np.int32)
        return cls(infected=never.copy(), start=never.copy(), onset=never.copy(),
                   mult=np.zeros(n, np.float32), peak=np.zeros(n, np.float32),
                   tail=np.zeros(n, np.float32), generation=np.full(n, -1, np.int16))

    def end(self, idx: np.ndarray) -> np.ndarray:
        """First day no longer infectious (recovered)."""
        return self.start[idx] + len(PROFILE)

    def infect(self, *, rng: np.random.Generator, idx: np.ndarray, day: np.ndarray | int,
               age: np.ndarray, generation: np.ndarray) -> None:
        """Draw the course of new infections of agents `idx` on `day`."""
        m = len(idx)
        inc = np.maximum(1, np.rint(rng.lognormal(*INCUBATION_LOG, m))).astype(np.int32)
        latent = np.maximum(1, inc - PRESYMPTOMATIC_DAYS)
        decade = np.minimum(age[idx] // 10, 8).astype(np.int64)
        symptomatic = rng.random(m) < SYMPTOMATIC_BY_DECADE[decade]
        spread = rng.gamma(DISPERSION, 1.0 / DISPERSION, m)
        t = np.asarray(day, dtype=np.int32)
        self.infected[idx] = t
        self.start[idx] = t + latent
        self.onset[idx] = np.where(symptomatic, t + np.maximum(inc, latent), NEVER)
        self.mult[idx] = spread * np.where(symptomatic, 1.0, ASYMPTOMATIC_REL)
        self.peak[idx] = rng.uniform(*PEAK_LOG, m)
        self.tail[idx] = rng.uniform(*TAIL_DAYS, m)
        self.generation[idx] = generation

    def infectiousness(self, idx: np.ndarray, day: int) -> np.ndarray:
        """Relative infectiousness of agents `idx` on `day` (0 outside their window)."""
        k = day - self.start[idx].astype(np.int64)
        inside = (k >= 0) & (k < len(PROFILE))
        out = np.zeros(len(idx))
        out[inside] = PROFILE[k[inside]] * self.mult[idx[inside]]
        return out

    def viral_load(self, idx: np.ndarray, day: int) -> np.ndarray:
        """log10 viral load of agents `idx` on `day` (−inf when not infected or cleared)."""
        start = self.start[idx].astype(np.float64)
        k = day - start
        peak_k = np.where(self.onset[idx] < NEVER, self.onset[idx] - start,
                          float(PRESYMPTOMATIC_DAYS))
        peak_k = np.maximum(peak_k, 0.0)
        peak = self.peak[idx].astype(np.float64)
        end_k = float(len(PROFILE))
        rise = LOD_LOG + (peak - LOD_LOG) * (k + 1) / (peak_k + 1)
        fall = peak + (6.0 - peak) * (k - peak_k) / (end_k - peak_k)
        tail = 6.0 - (6.0 - LOD_LOG) * (k - end_k) / np.maximum(self.tail[idx], 1.0)
        vl = np.select([k < -1, k <= peak_k, k <= end_k], [-np.inf, rise, fall], tail)
        vl[(self.infected[idx] == NEVER) | (vl < LOD_LOG)] = -np.inf
        return vl


def swab(rng: np.random.Generator, load: np.ndarray) -> np.ndarray:
    """The load in one sample: the agent's load with swab-to-swab variation."""
    return load + rng.normal(0.0, SWAB_SD, len(load))


def stochastic_days(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    """Whole-day delays with the given mean: floor(mean + U(0, 1))."""
    return np.floor(mean + rng.random(n)).astype(np.int32)
