"""Pool deconvolution (pure, no Django): from the tubes a person was swabbed into and their
results, the person's status, and who the emergency sampling team must swab single-tube.

The rules, in order (china-practice §6.2: a positive pooled tube's members are held in place
and re-sampled single-tube; an invalid result is re-sampled):

1. any single tube (capacity 1, screening or retest) positive → **positive**;
2. else in a positive pooled tube: a negative retest releases (**negative**), otherwise
   **held** (an invalid retest does not release: the person is swabbed again);
3. else any negative tube → **negative**;
4. else an invalid tube and no tube still pending → **resample**;
5. else **pending** (not yet resulted, or resampled and awaiting the new result).

The retest list is everyone held with no retest tube still pending, plus everyone to resample.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)  # a person key
T = TypeVar("T", bound=Hashable)  # a tube key

POSITIVE, NEGATIVE, INVALID, PENDING = "positive", "negative", "invalid", ""
RETEST = "retest"


class Status(StrEnum):
    NEGATIVE = "negative"
    HELD = "held"
    POSITIVE = "positive"
    RESAMPLE = "resample"
    PENDING = "pending"


@dataclass(frozen=True)
class Pool(Generic[P]):
    """A tube: who was swabbed into it, its pool size and whether it is a retest tube."""

    members: tuple[P, ...]
    capacity: int
    kind: str = "screening"

    @property
    def single(self) -> bool:
        return self.capacity == 1


@dataclass(frozen=True)
class Outcome(Generic[P]):
    status: dict[P, Status]
    retest: list[P]  # in first-seen order of the pools given


def deconvolve(pools: Mapping[T, Pool[P]], results: Mapping[T, str]) -> Outcome[P]:
    """Each member's status; a tube missing from ``results`` is pending."""
    seen: dict[P, list[tuple[Pool[P], str]]] = {}
    for tube, pool in pools.items():
        result = results.get(tube, PENDING)
        for person in pool.members:
            seen.setdefault(person, []).append((pool, result))
    status = {person: person_status(tubes) for person, tubes in seen.items()}
    retest = [p for p, s in status.items()
              if s is Status.RESAMPLE or (s is Status.HELD and not _retest_pending(seen[p]))]
    return Outcome(status=status, retest=retest)


def person_status(tubes: list[tuple[Pool[P], str]]) -> Status:
    """One person's status from the (tube, result) pairs they were swabbed into."""
    results = {r for _, r in tubes}
    if any(pool.single and r == POSITIVE for pool, r in tubes):
        return Status.POSITIVE
    if any(not pool.single and r == POSITIVE for pool, r in tubes):
        released = any(pool.kind == RETEST and r == NEGATIVE for pool, r in tubes)
        return Status.NEGATIVE if released else Status.HELD
    if NEGATIVE in results:
        return Status.NEGATIVE
    if INVALID in results and PENDING not in results:
        return Status.RESAMPLE
    return Status.PENDING


def _retest_pending(tubes: list[tuple[Pool[P], str]]) -> bool:
    return any(pool.kind == RETEST and r == PENDING for pool, r in tubes)
