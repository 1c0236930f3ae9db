"""What the scenario and comparison pages draw from stored results: the chart data (one chart
per measure, each scenario a p5–p95 band and its median) and the summary table's cells with
their 95 % intervals, labelled in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from fangkong.simulation import spec
from fangkong.simulation.models import Scenario


def _metrics(model: str) -> list[tuple[str, str]]:
    if model == spec.BRANCHING:
        return [("new_infections", _("New cases by week of exposure"))]
    return [("new_infections", _("New infections a day")),
            ("in_quarantine", _("People in quarantine")),
            ("tests", _("Tubes tested a day (a pool counts once)")),
            ("detected", _("Positives found a day"))]


def _columns(model: str) -> list[tuple[str, str, str]]:
    """(summary key, heading, format): ``share`` as a percentage with its Wilson interval,
    ``mean`` as mean (95 % interval of the mean), ``percent`` a mean share in percent."""
    if model == spec.BRANCHING:
        return [("controlled", _("Outbreaks controlled"), "share"),
                ("cumulative", _("Cases per outbreak"), "mean"),
                ("effective_r", _("Effective R"), "mean2"),
                ("peak", _("Peak week"), "mean")]
    return [("attack_rate", _("Attack rate"), "percent"),
            ("peak", _("Peak day"), "mean"),
            ("tests", _("Tubes tested"), "mean"),
            ("detected", _("Positives found"), "mean"),
            ("quarantine_days", _("Person-days in quarantine"), "mean")]


def cell(stat: dict[str, Any] | None, fmt: str) -> str:
    """One summary figure with its 95 % interval, e.g. ``42.0 % (35.3–48.9)``."""
    if not stat:
        return "—"
    if fmt == "share":
        if stat.get("value") is None:
            return "—"
        return (f"{100 * stat['value']:.1f} % "
                f"({100 * stat['low']:.1f}–{100 * stat['high']:.1f})")
    if stat.get("mean") is None:
        return "—"
    scale, digits, unit = {"percent": (100, 2, " %"), "mean2": (1, 2, "")}.get(fmt, (1, 1, ""))
    m, lo, hi = (scale * stat[k] for k in ("mean", "low", "high"))
    return f"{m:,.{digits}f}{unit} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def page_data(chosen: Sequence[Scenario]) -> dict[str, Any]:
    """The chart data (for ``json_script``) and the summary table of finished scenarios of
    one model."""
    model = chosen[0].model
    metrics = _metrics(model)
    columns = _columns(model)
    chart = {
        "step": chosen[0].result.get("step", "day"),
        "metrics": [{"key": k, "title": t} for k, t in metrics],
        "scenarios": [{"id": s.pk, "name": s.name,
                       "series": {k: s.result.get("series", {}).get(k) for k, _t in metrics}}
                      for s in chosen],
        "labels": {"week": _("week"), "day": _("day"), "median": _("median"),
                   "band": _("5th to 95th percentile of runs")},
    }
    rows = [{"s": s, "cells": [cell(s.result.get("summary", {}).get(k), fmt)
                               for k, _h, fmt in columns]} for s in chosen]
    return {"chart": chart, "columns": [h for _k, h, _f in columns], "rows": rows,
            "model": model}
