"""Agent model speed against Covasim 3.1.7 on the same scenario, in the same run.

    nice python -m benchmarks.bench_simulation --agents 100000 1000000 --days 100 --repeat 3

For each size, three measurements, each in its own process (benchmarks/simulation_worker.py,
so peak memory is that process's maxrss): our agent model on the synthetic city; Covasim on
its own random population (defaults, the population its published speed figures use); and
Covasim on the same synthetic city through covasim_bridge (``--matched-max`` caps the size:
its seven weekday room layers take ~1.5 GiB at 100 k, ~15 GiB expected at 1 M; tracing
layers are built only for scenarios that trace). No intervention,
20 initial infections. Throughput = agents × days / median run time; init is apart.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
MODELS = ("ours", "covasim-random", "covasim-matched")


def run_worker(model: str, agents: int, days: int, repeat: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": "src"}
    cmd = [sys.executable, "-m", "benchmarks.simulation_worker", model, str(agents),
           str(days), str(repeat)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        return {"model": model, "agents": agents, "error": done.stderr.strip()[-400:]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def row(m: dict[str, object]) -> str:
    if "error" in m:
        return f"| {m['agents']:,} | {m['model']} | – | – | – | – | failed: {m['error']} |"
    runs = m["run_s"]
    assert isinstance(runs, list) and isinstance(m["init"], dict)
    median = statistics.median(runs)
    agents, days = int(str(m["agents"])), int(str(m["days"]))
    init = ", ".join(f"{k.removesuffix('_s')} {v:.1f} s" for k, v in m["init"].items())
    return (f"| {agents:,} | {m['model']} | {init} | {median:.2f} s "
            f"({min(runs):.2f}–{max(runs):.2f}) | {agents * days / median / 1e6:.2f} M | "
            f"{m['peak_rss_mib']:,.0f} MiB | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--matched-max", type=int, default=200_000)
    parser.add_argument("--tag", default=datetime.datetime.now(tz=datetime.UTC).date().isoformat())
    args = parser.parse_args()
    measured = []
    for agents in args.agents:
        for model in MODELS:
            if model == "covasim-matched" and agents > args.matched_max:
                continue
            measured.append(run_worker(model, agents, args.days, args.repeat))
            print(row(measured[-1]), flush=True)
    head = ["| agents | model | init | run (median, min–max) | agent-days/s | peak RSS | |",
            "|---|---|---|---|---|---|---|"]
    md = "\n".join(head + [row(m) for m in measured]) + "\n"
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"simulation-{args.tag}"
    meta = {"days": args.days, "repeat": args.repeat, "cpus": os.cpu_count(),
            "python": platform.python_version(), "command": " ".join(sys.argv)}
    stem.with_suffix(".json").write_text(json.dumps({**meta, "results": measured},
                                                    indent=2) + "\n")
    stem.with_suffix(".md").write_text(
        f"# Agent model against Covasim 3.1.7 ({args.days} days, {args.repeat} repeats)\n\n"
        f"`{meta['command']}`\n\n{md}")
    print(md)


if __name__ == "__main__":
    main()
