"""Per-step tables of a load run: answers per second and p50/p95/p99 per endpoint, the
sustained rate, the step where shedding starts, recovery, and the RSS series' drift."""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from typing import Any

from benchmarks.load.plan import parse_plan, users_at

Row = list[Any]  # [start epoch s, name, ms, status]; status 0: no answer


def pct(sorted_ms: list[float], q: float) -> float | None:
    if not sorted_ms:
        return None
    return sorted_ms[min(len(sorted_ms) - 1, math.ceil(q * len(sorted_ms)) - 1)]


def summarise(rows: list[Row], seconds: float) -> dict[str, Any]:
    """Counts by kind of answer and the latency of 2xx answers (shed 503s are fast and
    would flatter the percentiles)."""
    ok = sorted(r[2] for r in rows if 200 <= r[3] < 300)
    shed = sum(1 for r in rows if r[3] == 503)
    errors = len(rows) - len(ok) - shed
    return {"requests": len(rows), "per_s": len(rows) / seconds,
            "ok_per_s": len(ok) / seconds, "shed": shed, "errors": errors,
            "error_share": errors / len(rows) if rows else 0.0,
            "p50_ms": pct(ok, 0.5), "p95_ms": pct(ok, 0.95), "p99_ms": pct(ok, 0.99),
            "max_ms": ok[-1] if ok else None,
            "statuses": {str(s): n for s, n in sorted(_count(r[3] for r in rows).items())}}


def _count(values: Any) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for v in values:
        out[v] += 1
    return out


def windows(rows: list[Row], plan: list[tuple[float, float]], settle: float
            ) -> list[dict[str, Any]]:
    """One entry per step of the plan, its first ``settle`` seconds left out."""
    t0 = min(r[0] for r in rows)
    out, begin = [], 0.0
    for n, (multiple, seconds) in enumerate(plan):
        lo, hi = t0 + begin + settle, t0 + begin + seconds
        mine = [r for r in rows if lo <= r[0] < hi]
        span = max(hi - lo, 1e-9)
        by_name: dict[str, list[Row]] = defaultdict(list)
        for r in mine:
            by_name[r[1]].append(r)
        out.append({"step": n + 1, "multiple": multiple, "users": users_at(multiple),
                    "seconds": seconds, "all": summarise(mine, span),
                    "endpoints": {k: summarise(v, span) for k, v in sorted(by_name.items())}})
        begin += seconds
    return out


def verdict(steps: list[dict[str, Any]], target_ms: float) -> dict[str, Any]:
    """Sustained: the highest step whose every endpoint's p99 is under the target and whose
    errors (not counting deliberate 503s) are under 0.1 %. Shed: the first step with a 503.
    Recovered: the last step (the ramp's way back down) has no error and no 503, and its
    p50 and p95 are within 1.5 times the first step's."""
    def good(step: dict[str, Any]) -> bool:
        return step["all"]["error_share"] < 0.001 and all(
            e["p99_ms"] is not None and e["p99_ms"] < target_ms
            for e in step["endpoints"].values())
    sustained = [s for s in steps[:-1] if good(s)] if len(steps) > 1 else []
    shed = [s for s in steps if s["all"]["shed"]]
    first, last = steps[0]["all"], steps[-1]["all"]
    back = all(last[k] is not None and first[k] is not None and last[k] <= 1.5 * first[k]
               for k in ("p50_ms", "p95_ms"))
    return {"p99_target_ms": target_ms,
            "sustained_step": sustained[-1]["step"] if sustained else None,
            "sustained_per_s": max((s["all"]["per_s"] for s in sustained), default=None),
            "first_shed_step": shed[0]["step"] if shed else None,
            "recovered": back and not last["shed"] and not last["errors"]}


def rss_summary(rss: list[dict[str, float]]) -> dict[str, Any]:
    """Start, after warm-up (the first fifth of the run), end, and the least-squares slope
    after warm-up in MB per 10 minutes."""
    if len(rss) < 3:
        return {"samples": len(rss)}
    warm = rss[len(rss) // 5:]
    n = len(warm)
    mt = sum(r["t"] for r in warm) / n
    mr = sum(r["rss_mb"] for r in warm) / n
    var = sum((r["t"] - mt) ** 2 for r in warm) or 1e-9
    slope = sum((r["t"] - mt) * (r["rss_mb"] - mr) for r in warm) / var
    return {"samples": len(rss), "start_mb": rss[0]["rss_mb"],
            "after_warmup_mb": warm[0]["rss_mb"], "end_mb": rss[-1]["rss_mb"],
            "max_mb": max(r["rss_mb"] for r in rss), "slope_mb_per_10min": slope * 600,
            "load1_median": sorted(r["load1"] for r in rss)[len(rss) // 2]}


def analyse(args: argparse.Namespace, measured: dict[str, Any], rows: list[Row]
            ) -> dict[str, Any]:
    plan = parse_plan(args.plan)
    steps = windows(rows, plan, args.settle)
    return {"backend": args.backend, "residents": args.residents, "plan": args.plan,
            "threads": args.threads, "settle_s": args.settle,
            "wall_s": measured["wall_s"], "locust_rc": measured["locust_rc"],
            "server_cpu_s": measured["server_cpu_s"], "locust_cpu_s": measured["locust_cpu_s"],
            "server": measured["server"], "rss": rss_summary(measured["rss"]),
            "rss_series": measured["rss"], "verdict": verdict(steps, args.p99_target_ms),
            "steps": steps}


def _ms(v: float | None) -> str:
    return "" if v is None else f"{v:,.0f}"


def markdown(result: dict[str, Any]) -> str:
    v, rss = result["verdict"], result["rss"]
    lines = [f"# Load: a screening morning ({result['backend']}, {result['residents']:,} "
             f"residents, plan {result['plan']})", "",
             f"waitress {result['threads']} threads; wall {result['wall_s']:.0f} s; CPU "
             f"server {result['server_cpu_s']:.0f} s, locust {result['locust_cpu_s']:.0f} s; "
             f"server alive at end: {result['server']['alive_at_end']}, tracebacks "
             f"{result['server']['tracebacks']}; deepest waitress queue logged "
             f"{result['server'].get('max_queue_depth_logged')}, connection-limit warnings "
             f"{result['server'].get('connection_limit_warnings')}; first "
             f"{result['settle_s']:.0f} s of each "
             "step left out; latencies of 2xx answers.", "",
             f"Sustained (p99 < {v['p99_target_ms']:.0f} ms on every endpoint, errors other "
             f"than 503 < 0.1 %): step {v['sustained_step']} at "
             f"{_ms(v['sustained_per_s'])} req/s; first 503: step {v['first_shed_step']}; "
             f"recovered at the last step (p50, p95 within 1.5x of the first step's, no 503, no "
             f"error): {v['recovered']}.", "",
             f"Server RSS (MB, sampled {rss.get('samples')} times): start "
             f"{rss.get('start_mb', 0):.0f}, after warm-up {rss.get('after_warmup_mb', 0):.0f}, "
             f"end {rss.get('end_mb', 0):.0f}, max {rss.get('max_mb', 0):.0f}, slope after "
             f"warm-up {rss.get('slope_mb_per_10min', 0):+.1f} MB per 10 min. Machine: 2 cores "
             f"shared with other work, load average median {rss.get('load1_median')}; the "
             f"server used {result['server_cpu_s'] / result['wall_s']:.2f} of a core.", "",
             "| step | x | users | endpoint | req/s | 2xx/s | 503 | errors | p50 ms | p95 ms "
             "| p99 ms | max ms |", "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
             "---:|"]
    for s in result["steps"]:
        for name, e in [("**all**", s["all"]), *s["endpoints"].items()]:
            lines.append(f"| {s['step']} | {s['multiple']:g} | {s['users']} | {name} | "
                         f"{e['per_s']:.1f} | {e['ok_per_s']:.1f} | {e['shed']} | "
                         f"{e['errors']} | {_ms(e['p50_ms'])} | {_ms(e['p95_ms'])} | "
                         f"{_ms(e['p99_ms'])} | {_ms(e['max_ms'])} |")
    return "\n".join(lines) + "\n"
