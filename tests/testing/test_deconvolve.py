"""Pool deconvolution against a brute-force reference on random rounds: random pools of the
validated sizes, a random prevalence, invalid results, and up to two retest rounds for the
people the function sends back to the emergency sampling team."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.testing.deconvolve import Pool, Status, deconvolve

SIZES = (1, 5, 10, 20)


def reference(pools: dict[str, Pool[int]], results: dict[str, str]) -> tuple[dict[int, str],
                                                                               set[int]]:
    """Written from the rules, not from the function: every person against every tube."""
    people = sorted({p for pool in pools.values() for p in pool.members})
    status: dict[int, str] = {}
    to_swab: set[int] = set()
    for person in people:
        single_pos = pool_pos = retest_neg = retest_wait = any_neg = any_inv = any_wait = False
        for code, pool in pools.items():
            if person not in pool.members:
                continue
            r = results.get(code, "")
            single_pos |= pool.capacity == 1 and r == "positive"
            pool_pos |= pool.capacity > 1 and r == "positive"
            retest_neg |= pool.kind == "retest" and r == "negative"
            retest_wait |= pool.kind == "retest" and r == ""
            any_neg |= r == "negative"
            any_inv |= r == "invalid"
            any_wait |= r == ""
        if single_pos:
            status[person] = "positive"
        elif pool_pos:
            status[person] = "negative" if retest_neg else "held"
            if not retest_neg and not retest_wait:
                to_swab.add(person)
        elif any_neg:
            status[person] = "negative"
        elif any_inv and not any_wait:
            status[person] = "resample"
            to_swab.add(person)
        else:
            status[person] = "pending"
    return status, to_swab


def screening_round(rng: random.Random, people: int, prevalence: float, invalid: float,
                    pending: float) -> tuple[set[int], dict[str, Pool[int]], dict[str, str]]:
    infected = {p for p in range(people) if rng.random() < prevalence}
    pools: dict[str, Pool[int]] = {}
    results: dict[str, str] = {}
    queue = list(range(people))
    rng.shuffle(queue)
    while queue:
        capacity = rng.choice(SIZES)
        members = tuple(queue[:rng.randint(1, capacity)])
        del queue[:len(members)]
        code = f"S{len(pools)}"
        pools[code] = Pool(members=members, capacity=capacity)
        results[code] = draw(rng, bool(infected & set(members)), invalid, pending)
    return infected, pools, results


def draw(rng: random.Random, infected: bool, invalid: float, pending: float) -> str:
    roll = rng.random()
    if roll < pending:
        return ""
    if roll < pending + invalid:
        return "invalid"
    return "positive" if infected else "negative"


def retest_round(rng: random.Random, infected: set[int], to_swab: list[int],
                 pools: dict[str, Pool[int]], results: dict[str, str], *, invalid: float,
                 pending: float) -> None:
    for person in to_swab:
        code = f"R{len(pools)}"
        pools[code] = Pool(members=(person,), capacity=1, kind="retest")
        results[code] = draw(rng, person in infected, invalid, pending)


rounds = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1),
    "people": st.integers(0, 300),
    "prevalence": st.sampled_from([0.0, 0.001, 0.01, 0.05, 0.3]),
    "invalid": st.sampled_from([0.0, 0.01, 0.1]),
    "pending": st.sampled_from([0.0, 0.05]),
    "retests": st.integers(0, 2),
})


@settings(max_examples=150, deadline=None)
@given(rounds)
def test_matches_the_reference_on_random_rounds(r: dict[str, float]) -> None:
    rng = random.Random(r["seed"])
    infected, pools, results = screening_round(rng, int(r["people"]), r["prevalence"],
                                               r["invalid"], r["pending"])
    for _ in range(int(r["retests"]) + 1):
        outcome = deconvolve(pools, results)
        expected, to_swab = reference(pools, results)
        assert {p: str(s) for p, s in outcome.status.items()} == expected
        assert set(outcome.retest) == to_swab and len(outcome.retest) == len(to_swab)
        retest_round(rng, infected, outcome.retest, pools, results, invalid=r["invalid"],
                     pending=r["pending"])


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 200),
       st.sampled_from([0.0, 0.01, 0.1, 0.5]))
def test_perfect_tests_find_exactly_the_infected(seed: int, people: int,
                                                  prevalence: float) -> None:
    """No invalid or pending results: one retest round settles everyone, and the positives
    are exactly the infected (a pool is positive iff it holds someone infected)."""
    rng = random.Random(seed)
    infected, pools, results = screening_round(rng, people, prevalence, 0.0, 0.0)
    first = deconvolve(pools, results)
    held = {p for p, s in first.status.items() if s is Status.HELD}
    assert set(first.retest) == held
    assert all(s is not Status.NEGATIVE for p, s in first.status.items() if p in infected)
    retest_round(rng, infected, first.retest, pools, results, invalid=0.0, pending=0.0)
    after = deconvolve(pools, results)
    assert after.retest == []
    assert {p for p, s in after.status.items() if s is Status.POSITIVE} == infected
    assert set(after.status.values()) <= {Status.POSITIVE, Status.NEGATIVE}


def test_the_rules_one_by_one() -> None:
    pools = {
        "a": Pool(members=(1, 2, 3), capacity=10),  # positive pool
        "b": Pool(members=(4,), capacity=1),  # positive single
        "c": Pool(members=(5, 6), capacity=5),  # invalid pool
        "d": Pool(members=(7,), capacity=10),  # pending
        "r1": Pool(members=(1,), capacity=1, kind="retest"),  # negative: released
        "r2": Pool(members=(2,), capacity=1, kind="retest"),  # positive: a case
        "r5": Pool(members=(5,), capacity=1, kind="retest"),  # resampled, pending
    }
    results = {"a": "positive", "b": "positive", "c": "invalid", "r1": "negative",
               "r2": "positive"}
    out = deconvolve(pools, results)
    assert out.status == {1: Status.NEGATIVE, 2: Status.POSITIVE, 3: Status.HELD,
                          4: Status.POSITIVE, 5: Status.PENDING, 6: Status.RESAMPLE,
                          7: Status.PENDING}
    assert out.retest == [3, 6]
    held_again = deconvolve(pools | {"r3": Pool(members=(3,), capacity=1, kind="retest")},
                            results | {"r3": "invalid"})
    assert held_again.status[3] is Status.HELD and 3 in held_again.retest
