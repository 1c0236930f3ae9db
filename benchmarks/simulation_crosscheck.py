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
        out[name] = {"ours": asdict(a), "covasim": asdict(c), "ours_s": t1 - t0,
                     "covasim_s": t2 - t1, "breaks": within_bounds(ours=a, covasim=c)}
    return out


def table(result: dict[str, object]) -> str:
    rows = ["| scenario | measure | Covasim 3.1.7 | ours | difference | runs |",
            "|---|---|---|---|---|---|"]
    for name in scenarios():
        entry = result.get(name)
        if entry is None:
            continue
        assert isinstance(entry, dict)
        c, o = entry["covasim"], entry["ours"]
        rows.append(
            f"| {name} | attack rate | {c['attack_mean']:.3f} ± {c['attack_sd']:.3f} | "
            f"{o['attack_mean']:.3f} ± {o['attack_sd']:.3f} | "
            f"{(c['attack_mean'] - o['attack_mean']) / o['attack_mean']:+.1%} | {c['runs']} |")
        rows.append(
            f"| {name} | peak day | {c['peak_mean']:.1f} ± {c['peak_sd']:.1f} | "
            f"{o['peak_mean']:.1f} ± {o['peak_sd']:.1f} | "
            f"{c['peak_mean'] - o['peak_mean']:+.1f} d | {c['runs']} |")
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
