"""The report's numbers come from the read model as it stands, and its words say them: the
city's figures are the sum of its districts', the day before's values and the 14-day trends
are the stored ones, the child table has one row per district, the summary repeats the
numbers, and a metric the read model no longer knows is left out rather than shown."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fangkong.command import report_data
from fangkong.command.queries import METRICS
from tests.command.builders_reports import DAY, seed_figures, value
from tests.factories import City

NAMES = list(METRICS)
AT = dt.datetime(2022, 5, 2, 7, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def _city_value(name: str, day: dt.date) -> int:
    m = NAMES.index(name)
    return sum(value(district=d, metric=m, day=day) for d in (1, 2))


def test_collect_sums_the_districts_and_keeps_the_day_before(city: City) -> None:
    seed_figures(city)
    figures = report_data.collect(unit=city.unit, day=DAY)
    before = DAY - dt.timedelta(days=1)
    for name in NAMES:
        assert figures["today"][name] == _city_value(name, DAY)
        assert figures["yesterday"][name] == _city_value(name, before)
    assert [c["name"] for c in figures["children"]] == ["第1区", "第2区"]
    assert figures["children"][1]["values"][NAMES[0]] == value(district=2, metric=0, day=DAY)
    trend = figures["trends"][NAMES[0]]
    assert len(trend) == report_data.TREND_DAYS
    assert trend[-1] == _city_value(NAMES[0], DAY)
    assert trend[0] == _city_value(NAMES[0], DAY - dt.timedelta(days=13))


def test_a_district_report_holds_only_that_district(city: City) -> None:
    seed_figures(city)
    figures = report_data.collect(unit=city.districts[1].unit, day=DAY)
    assert figures["today"][NAMES[0]] == value(district=2, metric=0, day=DAY)
    assert [c["name"] for c in figures["children"]] == ["2街道"]


def test_present_in_english_lines_changes_and_summary(city: City) -> None:
    seed_figures(city)
    figures = report_data.collect(unit=city.unit, day=DAY)
    data = report_data.present(figures=figures, language="en", generated_at=AT)
    assert data.unit_name == "Demo City"
    assert data.child_level == "District"
    assert [line.name for line in data.lines] == NAMES
    line = data.lines[0]
    assert line.value == _city_value(line.name, DAY)
    assert line.delta == line.value - _city_value(line.name, DAY - dt.timedelta(days=1))
    assert [name for name, _values in data.sections[0].rows] == ["District 1", "District 2"]
    assert len(data.trends) == len({m.group for m in METRICS.values()})
    text = " ".join(data.summary)
    assert "Situation of Demo City on May 1, 2022." in text
    if {"cases_in_quarantine", "cases_in_community"} <= set(NAMES):
        total = _city_value("cases_in_quarantine", DAY) + _city_value("cases_in_community", DAY)
        assert f"{total} new cases were confirmed" in text


def test_a_metric_unknown_to_the_read_model_is_not_shown(city: City) -> None:
    seed_figures(city)
    figures = report_data.collect(unit=city.unit, day=DAY)
    figures["metrics"].append("vaccinations")
    figures["today"]["vaccinations"] = 999
    data = report_data.present(figures=figures, language="en", generated_at=AT)
    assert "vaccinations" not in [line.name for line in data.lines]
    assert "999" not in " ".join(data.summary)


def test_an_empty_read_model_gives_zeros_not_gaps(city: City) -> None:
    figures = report_data.collect(unit=city.unit, day=DAY)
    data = report_data.present(figures=figures, language="zh-hans", generated_at=AT)
    assert all(line.value == 0 and line.delta == 0 for line in data.lines)
    assert data.unit_name == "示范市"
    assert all(values == [0] * len(values) for t in data.trends for _l, values in t.series)
