"""A screening morning's load on the real server: a stepped ramp until it sheds, or a soak.

    uv run python -m benchmarks.load.run --plan 0.5:60,1:60,2:60,3:60,0.5:60 --name ramp-pg
    uv run python -m benchmarks.load.run --reuse --plan 1.4:1800 --rss-every 30 --name soak-pg

Sets up a fresh database (``--backend``; PostgreSQL by default, the production database)
holding a synthetic city of ``--residents``, computes the residents' codes and writes the
locust fixture (``benchmarks.load.fixture``), in a child process; ``--reuse`` keeps the
database and fixture of the last set-up. Then starts ``fangkong serve`` (waitress, as
``benchmarks.healthcode_serve`` runs it, the project's default shedding limit), samples its
RSS every ``--rss-every`` s, drives locust headless in one process with the plan (steps of
``multiple:seconds``, see ``ramp.py`` and ``locustfile.py``) and writes the per-step tables
to benchmarks/results/load_<date>-<name>.{json,md}. Everything shares the machine's cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import healthcode_http as web
from benchmarks.load import report

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
LOCUSTFILES = "benchmarks/load/locustfile.py,benchmarks/load/ramp.py"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load.run",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--plan", default="0.5:60,1:60,2:60,3:60,4:60,0.5:60",
                        help="steps multiple:seconds (default %(default)s)")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds left out at the start of each step (default %(default)s)")
    parser.add_argument("--p99-target-ms", type=float, default=1000.0)
    parser.add_argument("--rss-every", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8796)
    parser.add_argument("--pg-db", default="fk_h6_load")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fk-load-h6")
    parser.add_argument("--name", default="")
    parser.add_argument("--reuse", action="store_true", help="keep the last set-up")
    parser.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def database_env(args: argparse.Namespace) -> dict[str, str]:
    url = (f"postgresql://postgres@127.0.0.1:5432/{args.pg_db}" if args.backend == "postgresql"
           else f"sqlite:///{args.cache / 'load.sqlite3'}")
    return {"FANGKONG_DATABASE_URL": url, "FANGKONG_DATA_DIR": str(args.cache / "data"),
            "FANGKONG_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}


def fixture_path(args: argparse.Namespace) -> Path:
    return args.cache / f"fixture-{args.backend}.json"


def setup(args: argparse.Namespace) -> None:
    """In the child process: fresh database, city, codes, fixture."""
    from benchmarks.bench_registry import ensure_city
    from benchmarks.common import setup_backend

    args.seed = 2022
    city = ensure_city(args)
    setup_backend(args.backend, cache=args.cache, sqlite_name="load.sqlite3", pg_db=args.pg_db)
    from benchmarks.load import fixture
    from fangkong.healthcode.keys import ensure_active_key
    from fangkong.healthcode.recompute import do_recompute_all
    from fangkong.registry.load import load_city

    load_city(src=city, progress=False)
    ensure_active_key()
    do_recompute_all()
    sizes = fixture.write(fixture_path(args))
    print(f"fixture: {sizes}", flush=True)


class Sampler(threading.Thread):
    """The server's resident set size and the machine's load average, every ``every`` s."""

    def __init__(self, pid: int, every: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.began = pid, every, time.time()
        self.rows: list[dict[str, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.rows.append({"t": round(time.time() - self.began, 1),
                              "rss_mb": rss_mb(self.pid),
                              "load1": float(Path("/proc/loadavg").read_text().split()[0])})
            self.done.wait(self.every)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log_figures(log: Path) -> dict[str, int]:
    """What waitress said of its backlog: the deepest task queue it reported (one warning a
    minute is kept) and how often it stopped accepting connections at its limit."""
    lines = log.read_text("utf-8", "replace").splitlines()
    depths = [int(ln.rsplit(" ", 1)[1]) for ln in lines if ln.startswith("Task queue depth is")]
    return {"max_queue_depth_logged": max(depths, default=0),
            "connection_limit_warnings": sum("connection limit" in ln for ln in lines)}


def drive(args: argparse.Namespace, record: Path) -> dict[str, Any]:
    """Server up, locust through the plan, server down; what the run measured."""
    log = args.cache / f"server-load-{args.name or 'run'}.log"
    server = web.start_server(args.port, args.threads, max_in_flight=None, body_bytes=1500,
                              log=log)
    sampler = Sampler(server.pid, args.rss_every)
    sampler.start()
    env = {**os.environ, "FANGKONG_LOAD_FIXTURE": str(fixture_path(args)),
           "FANGKONG_LOAD_RECORD": str(record), "FANGKONG_LOAD_PLAN": args.plan}
    began = time.time()
    with (args.cache / f"locust-{args.name or 'run'}.log").open("wb") as out:
        locust = subprocess.Popen(
            [str(Path(sys.executable).parent / "locust"), "-f", LOCUSTFILES, "--headless",
             "--host", f"http://127.0.0.1:{args.port}", "--only-summary",
             "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=out, stderr=out)
        locust_cpu = 0.0
        while locust.poll() is None:
            locust_cpu = cpu_seconds(locust.pid)
            time.sleep(1)
    wall = time.time() - began
    server_cpu = cpu_seconds(server.pid)
    sampler.done.set()
    sampler.join()
    health = {**web.stop_server(server, log), **log_figures(log)}
    return {"began": began, "wall_s": wall, "locust_rc": locust.returncode,
            "server_cpu_s": server_cpu, "locust_cpu_s": locust_cpu,
            "rss": sampler.rows, "server": health}


def main() -> None:
    args = parse()
    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ.update(database_env(args))
    if args.setup_only:
        setup(args)
        return
    if not args.reuse:
        subprocess.run([sys.executable, "-m", "benchmarks.load.run", "--setup-only",
                        *sys.argv[1:]], check=True, cwd=ROOT)
    record = args.cache / f"record-{args.name or 'run'}.jsonl"
    measured = drive(args, record)
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    result = report.analyse(args, measured, rows)
    day = dt.datetime.now(dt.UTC).date().isoformat()
    stem = f"load_{day}{'-' + args.name if args.name else ''}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=1))
    (RESULTS / f"{stem}.md").write_text(report.markdown(result))
    print(report.markdown(result))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
