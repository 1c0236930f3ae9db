"""One benchmark measurement in its own process (so its peak memory is its own):
``python -m benchmarks.simulation_worker MODEL AGENTS DAYS REPEAT`` prints one JSON line.

Models: ``ours`` (the agent model on the synthetic city, no intervention), ``covasim-random``
(Covasim 3.1.7's own random population, defaults), ``covasim-matched`` (Covasim on the same
synthetic city through covasim_bridge). Init (population and indexes) is timed apart from
the runs; each repeat is a fresh run with seed = repeat index.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable

from fangkong.simulation.agents import AgentParams, run_agents
from fangkong.simulation.agents_mixing import Mixing
from fangkong.simulation.covasim_bridge import Network, covasim_sim, require_covasim
from fangkong.simulation.population import population_from_synth

CITY_SEED = 1
INFECTED = 20


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(model: str, agents: int, days: int, repeat: int) -> dict[str, object]:
    params = AgentParams(days=days, initial_infected=INFECTED, test_delay=float("inf"))
    init: dict[str, float] = {}
    runs: list[float] = []
    if model == "covasim-random":
        cv = require_covasim()
        for r in range(repeat):
            sim = cv.Sim(pop_size=agents, pop_type="random", n_days=days - 1, rand_seed=r,
                         pop_infected=INFECTED, verbose=0)
            init.setdefault("covasim_init_s", _timed(sim.initialize))
            runs.append(_timed(sim.run))
    else:
        t0 = time.perf_counter()
        pop = population_from_synth(residents=agents, seed=CITY_SEED)
        init["population_s"] = time.perf_counter() - t0
        if model == "ours":
            init["index_s"] = _timed(lambda: Mixing.build(pop))
            runs = [_timed(lambda r=r: run_agents(pop, params, seed=r)) for r in range(repeat)]
        elif model == "covasim-matched":
            t0 = time.perf_counter()
            net = Network.build(pop)
            init["layers_s"] = time.perf_counter() - t0
            for r in range(repeat):
                t0 = time.perf_counter()
                sim = covasim_sim(net, params, seed=r)
                init.setdefault("covasim_init_s", time.perf_counter() - t0)
                runs.append(_timed(sim.run))
        else:
            raise SystemExit(f"unknown model {model!r}")
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"model": model, "agents": agents, "days": days, "init": init, "run_s": runs,
            "peak_rss_mib": rss_mib}


if __name__ == "__main__":
    name, n, d, rep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(measure(name, n, d, rep)))
