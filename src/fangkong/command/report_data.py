"""What a daily situation report says: the numbers, read from the dashboard's read model, and
their presentation in the report's language.

Two steps, so a report keeps the numbers it was made from and can be drawn again in another
language: :func:`collect` reads the figures (``command.queries``, which sums ``Figure`` rows and
never scans the raw tables) into a JSON-safe dict stored on ``SituationReport.figures``;
:func:`present` turns that dict into :class:`ReportData` (labels, changes, summary) for the PDF
and Excel renderers. Only metrics the read model knows are shown; none is ever made up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fangkong.command import queries
from fangkong.core.models import AdminUnit, Level

TREND_DAYS = 14
FIGURES_VERSION = 1


@dataclass(frozen=True)
class Line:
    """One headline figure with the day before's value (None where that day has none)."""

    name: str
    label: str
    group: str
    measure: str
    value: int
    previous: int | None

    @property
    def delta(self) -> int | None:
        return None if self.previous is None else self.value - self.previous


@dataclass(frozen=True)
class Section:
    """The metrics of one working group: its headline lines and one row per child unit."""

    title: str
    lines: list[Line]
    rows: list[tuple[str, list[int]]]


@dataclass(frozen=True)
class Trend:
    """One chart: a few metrics over the last TREND_DAYS days, oldest first."""

    title: str
    days: list[dt.date]
    series: list[tuple[str, list[int]]]


@dataclass(frozen=True)
class ReportData:
    title: str
    unit_name: str
    day: dt.date
    language: str
    generated_at: dt.datetime
    child_level: str
    sections: list[Section]
    trends: list[Trend]
    summary: list[str]

    @property
    def lines(self) -> list[Line]:
        return [line for s in self.sections for line in s.lines]


def group_title(group: str) -> str:
    """The heading of a working group's metrics (the key itself for a group added later)."""
    titles = {
        "tracing": pgettext("situation report", "Cases and contacts"),
        "screening": pgettext("situation report", "Screening"),
        "quarantine": pgettext("situation report", "Quarantine"),
        "risk": pgettext("situation report", "Risk areas"),
        "hotline": pgettext("situation report", "12345 hotline"),
        "command": pgettext("situation report", "Directives and supervision"),
        "warning": pgettext("situation report", "Early warning"),
        "supplies": pgettext("situation report", "Supplies and prices"),
        "coldchain": pgettext("situation report", "Imported cold chain"),
        "vaccination": pgettext("situation report", "Vaccination of the elderly"),
    }
    return titles.get(group, group)


def headline_heads() -> list[str]:
    """The column heads of the headline table (PDF and workbook)."""
    return [pgettext("situation report", "Figure"),
            pgettext("situation report", "Unit"),
            pgettext("situation report", "Today"),
            pgettext("situation report", "Day before"),
            pgettext("situation report", "Change")]


# ------------------------------------------------------------ collect (numbers only)


def collect(*, unit: AdminUnit, day: dt.date) -> dict[str, Any]:
    """The numbers of ``unit``'s report for ``day``: the day, the day before, one row per
    child unit and every metric's last TREND_DAYS days. Reads ``Figure`` rows only."""
    return {
        "version": FIGURES_VERSION,
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name,
                 "name_en": unit.name_en, "level": int(unit.level)},
        "day": day.isoformat(),
        "metrics": list(queries.METRICS),
        "today": queries.snapshot(unit=unit, day=day),
        "yesterday": queries.snapshot(unit=unit, day=day - dt.timedelta(days=1)),
        "children": [{"id": child.pk, "name": child.name, "name_en": child.name_en,
                      "values": values}
                     for child, values in queries.breakdown(unit=unit, day=day)],
        "trends": queries.trends(unit=unit, days=TREND_DAYS, until=day),
    }


# ------------------------------------------------------------ present (words and layout)


def present(*, figures: dict[str, Any], language: str,
            generated_at: dt.datetime) -> ReportData:
    """The report's content in ``language`` from collected figures; metrics no longer known
    to the read model are left out (their numbers stay in ``figures``)."""
    with translation.override(language):
        names = [n for n in figures["metrics"] if n in queries.METRICS]
        unit = figures["unit"]
        day = dt.date.fromisoformat(figures["day"])
        groups: dict[str, list[str]] = {}
        for name in names:
            groups.setdefault(queries.METRICS[name].group, []).append(name)
        unit_name = unit["name_en"] if language == "en" and unit["name_en"] else unit["name"]
        return ReportData(
            title=_("Daily situation report"), unit_name=unit_name, day=day,
            language=language, generated_at=generated_at,
            child_level=capfirst(str(Level(min(unit["level"] + 1, Level.GRID)).label)),
            sections=[_section(group, members, figures, language)
                      for group, members in groups.items()],
            trends=_trends(groups, figures, day),
            summary=summary(figures=figures, names=names, unit_name=unit_name, day=day))


def _line(name: str, figures: dict[str, Any]) -> Line:
    info = queries.METRICS[name]
    before = figures["yesterday"].get(name)
    return Line(name=name, label=capfirst(str(info.label)), group=info.group,
                measure=str(info.measure), value=int(figures["today"].get(name, 0)),
                previous=None if before is None else int(before))


def _section(group: str, names: list[str], figures: dict[str, Any],
             language: str) -> Section:
    rows = []
    for child in figures["children"]:
        name = child["name_en"] if language == "en" and child["name_en"] else child["name"]
        rows.append((name, [int(child["values"].get(n, 0)) for n in names]))
    return Section(title=group_title(group), lines=[_line(n, figures) for n in names],
                   rows=rows)


def _trends(groups: dict[str, list[str]], figures: dict[str, Any], day: dt.date) -> list[Trend]:
    """One chart per working group, each of its metrics a line."""
    days = [day - dt.timedelta(days=TREND_DAYS - 1 - i) for i in range(TREND_DAYS)]
    charts = []
    for group, names in groups.items():
        series = [(capfirst(str(queries.METRICS[n].label)), [int(v) for v in figures["trends"][n]])
                  for n in names if len(figures["trends"].get(n, ())) == TREND_DAYS]
        if series:
            charts.append(Trend(title=group_title(group), days=days, series=series))
    return charts


# ------------------------------------------------------------ the summary in words


def _n(value: int) -> str:
    return f"{value:,}"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _cases(v: dict[str, int], before: dict[str, int]) -> str:
    total = v["cases_in_quarantine"] + v["cases_in_community"]
    prior = before.get("cases_in_quarantine", 0) + before.get("cases_in_community", 0)
    return _("%(total)s new cases were confirmed: %(quarantine)s found in quarantine and "
             "%(community)s in the community (the day before: %(before)s).") % {
        "total": _n(total), "quarantine": _n(v["cases_in_quarantine"]),
        "community": _n(v["cases_in_community"]), "before": _n(prior)}


def _contacts(v: dict[str, int], before: dict[str, int]) -> str:
    return _("%(found)s contacts were found; %(controlled)s of them were under control "
             "within 24 hours (%(share)s).") % {
        "found": _n(v["contacts_found"]), "controlled": _n(v["contacts_controlled_24h"]),
        "share": _share(v["contacts_controlled_24h"], v["contacts_found"])}


def _screening(v: dict[str, int], before: dict[str, int]) -> str:
    if not v["screening_expected"]:
        return _("No screening round is under way.")
    return _("Screening in the current round: %(sampled)s of %(expected)s people sampled "
             "(%(share)s).") % {
        "sampled": _n(v["screening_sampled"]), "expected": _n(v["screening_expected"]),
        "share": _share(v["screening_sampled"], v["screening_expected"])}


def _rooms(v: dict[str, int], before: dict[str, int]) -> str:
    return _("%(free)s of %(total)s quarantine rooms in service are free.") % {
        "free": _n(v["rooms_free"]), "total": _n(v["rooms_total"])}


def _areas(v: dict[str, int], before: dict[str, int]) -> str:
    return _("Risk areas in force: %(sealed)s sealed, %(controlled)s controlled, "
             "%(precaution)s precaution.") % {
        "sealed": _n(v["areas_sealed"]), "controlled": _n(v["areas_controlled"]),
        "precaution": _n(v["areas_precaution"])}


def _requests(v: dict[str, int], before: dict[str, int]) -> str:
    return _("Requests from sealed areas: %(open)s open, %(overdue)s overdue.") % {
        "open": _n(v["requests_open"]), "overdue": _n(v["requests_overdue"])}


def _supplies(v: dict[str, int], before: dict[str, int]) -> str:
    return _("Supply alerts (stock or prices): %(open)s open, %(new)s of them not yet "
             "acknowledged.") % {"open": _n(v["supply_alerts_open"]),
                                 "new": _n(v["supply_alerts_new"])}


def _coldchain(v: dict[str, int], before: dict[str, int]) -> str:
    return _("Positive samples in the imported cold chain: %(n)s (the day before: "
             "%(before)s).") % {"n": _n(v["coldchain_positive"]),
                                "before": _n(before.get("coldchain_positive", 0))}


def _vaccination(v: dict[str, int], before: dict[str, int]) -> str:
    return _("Elderly residents (60 and over) fully vaccinated: %(done)s of %(all)s "
             "(%(share)s).") % {"done": _n(v["elderly_vaccinated"]),
                                "all": _n(v["elderly_residents"]),
                                "share": _share(v["elderly_vaccinated"], v["elderly_residents"])}


def _hotline(v: dict[str, int], before: dict[str, int]) -> str:
    return _("12345 hotline: %(opened)s tickets opened, %(open)s open, %(overdue)s "
             "overdue.") % {"opened": _n(v["tickets_opened"]), "open": _n(v["tickets_open"]),
                            "overdue": _n(v["tickets_overdue"])}


def _tasks(v: dict[str, int], before: dict[str, int]) -> str:
    return _("Directive tasks: %(open)s open, %(overdue)s overdue.") % {
        "open": _n(v["tasks_open"]), "overdue": _n(v["tasks_overdue"])}


Sentence = Callable[[dict[str, int], dict[str, int]], str]
SENTENCES: list[tuple[tuple[str, ...], Sentence]] = [
    (("cases_in_quarantine", "cases_in_community"), _cases),
    (("contacts_found", "contacts_controlled_24h"), _contacts),
    (("screening_sampled", "screening_expected"), _screening),
    (("rooms_free", "rooms_total"), _rooms),
    (("areas_sealed", "areas_controlled", "areas_precaution"), _areas),
    (("requests_open", "requests_overdue"), _requests),
    (("supply_alerts_open", "supply_alerts_new"), _supplies),
    (("coldchain_positive",), _coldchain),
    (("elderly_vaccinated", "elderly_residents"), _vaccination),
    (("tickets_opened", "tickets_open", "tickets_overdue"), _hotline),
    (("tasks_open", "tasks_overdue"), _tasks),
]


def summary(*, figures: dict[str, Any], names: list[str], unit_name: str,
            day: dt.date) -> list[str]:
    """A few sentences in the active language: one per topic whose metrics all exist, and one
    listing the rest by group, so a metric added later is still told and none is made up."""
    today = {n: int(figures["today"].get(n, 0)) for n in names}
    before = {n: int(v) for n, v in figures["yesterday"].items()}
    opening = _("Situation of %(unit)s on %(day)s.") % {
        "unit": unit_name, "day": formats.date_format(day, "DATE_FORMAT")}
    told: set[str] = set()
    parts = [opening]
    for needed, sentence in SENTENCES:
        if all(n in today for n in needed):
            parts.append(sentence(today, before))
            told.update(needed)
    rest: dict[str, list[str]] = {}
    for name in names:
        if name not in told:
            rest.setdefault(queries.METRICS[name].group, []).append(
                f"{queries.METRICS[name].label} {_n(today[name])}")
    parts += [f"{group_title(g)}: {', '.join(items)}." for g, items in rest.items()]
    return parts
