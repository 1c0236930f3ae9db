"""``fangkong simulate branching|agents``: run a scenario many times from a seed and print
its bands and summary as JSON on stdout; no database needed.

The flags are made from the fields of the model's params dataclass (``--traced``,
``--trace-coverage``, ``--quarantine/--no-quarantine`` …), so they follow the models; a
flag left out takes the model's default. The agent model runs on a synthetic city of
``--residents`` people. Progress goes to stderr (tqdm) unless ``--quiet``.

    fangkong simulate branching --r0 2.5 --traced 0.8 --runs 500 --seed 1
    fangkong simulate agents --residents 100000 --trace-coverage 0.8 --runs 10 --seed 1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_RUNS = {"branching": 1000, "agents": 10}
MODEL_HELP = {"branching": "branching process (Hellewell et al. 2020)",
              "agents": "agent model on a synthetic city"}


class _ModelParser(argparse.ArgumentParser):
    """A model's parser that adds its parameter flags when first used (parsed, or its help
    shown): they come from the model's dataclass, whose import (NumPy, the synthetic city)
    costs more than a second, which every other ``fangkong`` command would otherwise pay
    when the whole command line is built."""

    model = ""
    _flags_added = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[Any, list[str]]:
        self._add_flags()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._add_flags()
        return super().format_help()

    def _add_flags(self) -> None:
        if not self._flags_added:
            self._flags_added = True
            _param_flags(self, self.model)


def add_simulate_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``simulate branching`` and ``simulate agents`` to the ``fangkong`` command line
    (importing no model: their parameter flags wait for ``_ModelParser``)."""
    simulate = sub.add_parser("simulate", help="run a strategy scenario many times (JSON out)")
    ss = simulate.add_subparsers(metavar="{branching,agents}", parser_class=_ModelParser)
    for model, help_text in MODEL_HELP.items():
        p = ss.add_parser(model, help=help_text,
                          formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        p.model = model
        p.add_argument("--runs", type=int, default=DEFAULT_RUNS[model])
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--out", type=Path, help="also write the JSON to this file")
        p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
        if model == "agents":
            p.add_argument("--residents", type=int, default=100_000,
                           help="size of the synthetic city")
            p.add_argument("--workers", type=int, default=1, help="processes for the runs")
        p.set_defaults(handler=cmd_simulate, model=model)


def _param_flags(p: argparse.ArgumentParser, model: str) -> None:
    from fangkong.simulation import spec

    group = p.add_argument_group("model parameters (default: the model's own)")
    for f in spec.fields_of(model):
        flag = "--" + f.name.replace("_", "-")
        bounds = "" if f.low is None else f" [{f.low:g}, {f.high:g}]"
        shown = f"default {f.default}{bounds}"
        if f.kind is bool:
            group.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=shown)
        elif f.choices:
            group.add_argument(flag, dest=f.name, choices=f.choices,
                               default=argparse.SUPPRESS, help=shown)
        else:
            group.add_argument(flag, dest=f.name, type=f.kind, default=argparse.SUPPRESS,
                               help=shown)


def cmd_simulate(args: argparse.Namespace) -> int:
    from fangkong.simulation import spec

    raw = {f.name: getattr(args, f.name) for f in spec.fields_of(args.model)
           if hasattr(args, f.name)}  # a flag not given is absent (SUPPRESS)
    try:
        params = spec.parse_params(args.model, raw)
        if args.runs < 1:
            raise spec.SpecError(field="runs", code="range", name="runs", low="1", high="∞")
    except spec.SpecError as exc:
        print(f"error (--{exc.field.replace('_', '-')}): {_text(exc)}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    population = _population(args) if args.model == spec.AGENTS else None
    with _Bar(args) as bar:
        result = spec.simulate(model=args.model, params=params, runs=args.runs, seed=args.seed,
                               population=population, workers=getattr(args, "workers", 1),
                               progress=bar)
    out = {"model": args.model, "params": spec.stored_params(args.model, params, raw),
           "runs": args.runs, "seed": args.seed,
           "elapsed_s": round(time.perf_counter() - started, 3), "result": result}
    text = json.dumps(out, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def _population(args: argparse.Namespace) -> Any:
    from fangkong.simulation.population import population_from_synth

    if not args.quiet:
        print(f"building a synthetic city of {args.residents:,} residents …", file=sys.stderr)
    return population_from_synth(residents=args.residents, seed=args.seed)


class _Bar:
    """A tqdm bar on stderr fed with the number of runs done (nothing with ``--quiet``)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.quiet, self.total, self.bar, self.done = args.quiet, args.runs, None, 0

    def __enter__(self) -> _Bar:
        if not self.quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit="run", file=sys.stderr)
        return self

    def __call__(self, done: int) -> None:
        if self.bar is not None and done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _text(exc: Any) -> str:
    v = exc.values
    return {"unknown": lambda: f"unknown parameter {v.get('name')}",
            "type": lambda: f"must be {v.get('kind')}",
            "range": lambda: f"must lie between {v.get('low')} and {v.get('high')}",
            "choice": lambda: f"must be one of: {v.get('choices')}",
            "invalid": lambda: str(v.get("text"))}.get(exc.code, lambda: str(exc))()
