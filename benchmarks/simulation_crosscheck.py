"""The Covasim 3.1.7 cross-check at full size: both models on the matched scenarios over
many seeds, a table and JSON under benchmarks/results/.

    python -m benchmarks.simulation_crosscheck --agents 20000 --runs 20 --tag 2026-11-24
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from fangkong.simulation.agents import run_agents
from fangkong.simulation.covasim_bridge import (
    BOUNDS,
    Network,
    Summary,
    run_covasim,
    scenarios,
    within_bounds,
)
from fangkong.simulation.population import population_from_synth

RESULTS = Path(__file__).parent / "results"


def compare(*, agents: int, runs: int, days: int, city_seed: int) -> dict[str, object]:
    """Per scenario: both models' summaries over seeds 0..runs−1 and the bound check."""
    pop = population_from_synth(residents=agents, seed=city_seed)
    net = Network.build(pop)
    out: dict[str, object] = {"agents": agents, "runs": runs, "days": days,
                              "city_seed": city_seed}
    for name, params in scenarios(days=days).items():
        t0 = time.perf_counter()
        ours = [run_agents(pop, params, seed=s) for s in range(runs)]
        t1 = time.perf_counter()
        cov = [run_covasim(net, params, seed=s) for s in range(runs)]
        t2 = time.perf_counter()
        a = Summary.of([r.attack_rate for r in ours], [r.peak_day for r in ours])
        c = Summary.of([r.attack_rate for r in cov], [r.peak_day for r in cov])
        breaks = within_bounds(ours=a, covasim=c, bound=BOUNDS[name])
        out[name] = {"ours": asdict(a), "covasim": asdict(c), "ours_s": t1 - t0,
                     "covasim_s": t2 - t1, "bound": asdict(BOUNDS[name]), "breaks": breaks}
    return out


def _bound_text(bound: dict[str, float | None], measure: str) -> str:
    if measure == "peak day":
        return "—" if bound["peak_days"] is None else f"± {bound['peak_days']:g} d"
    if bound["attack_relative"] is not None:
        return f"± {bound['attack_relative']:.0%}"
    return "—" if bound["attack_ratio"] is None else f"factor ≤ {bound['attack_ratio']:g}"


def table(result: dict[str, object]) -> str:
    rows = ["| scenario | measure | Covasim 3.1.7 | ours | difference | bound | holds | runs |",
            "|---|---|---|---|---|---|---|---|"]
    for name in scenarios():
        entry = result.get(name)
        if entry is None:
            continue
        assert isinstance(entry, dict)
        c, o, bound, breaks = entry["covasim"], entry["ours"], entry["bound"], entry["breaks"]
        broken = {"attack rate": any("attack" in b for b in breaks),
                  "peak day": any("peak" in b for b in breaks)}
        diff = {"attack rate": f"{(c['attack_mean'] - o['attack_mean']) / o['attack_mean']:+.1%}",
                "peak day": f"{c['peak_mean'] - o['peak_mean']:+.1f} d"}
        for measure, key, fmt in (("attack rate", "attack", ".3f"), ("peak day", "peak", ".1f")):
            text = _bound_text(bound, measure)
            holds = "—" if text == "—" else ("no" if broken[measure] else "yes")
            rows.append(
                f"| {name} | {measure} | {c[key + '_mean']:{fmt}} ± {c[key + '_sd']:{fmt}} | "
                f"{o[key + '_mean']:{fmt}} ± {o[key + '_sd']:{fmt}} | {diff[measure]} | "
                f"{text} | {holds} | {c['runs']} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--city-seed", type=int, default=1)
    parser.add_argument("--tag", default="crosscheck")
    args = parser.parse_args()
    result = compare(agents=args.agents, runs=args.runs, days=args.days,
                     city_seed=args.city_seed)
    md = table(result)
    print(md)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"simulation-crosscheck-{args.tag}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(
        f"# Covasim 3.1.7 cross-check ({args.agents} agents, {args.days} days, "
        f"{args.runs} seeds)\n\n{md}")


if __name__ == "__main__":
    main()
