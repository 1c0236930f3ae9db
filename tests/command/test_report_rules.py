"""Properties of the report's small rules: the daily run's day is always the city's yesterday
after the hour and nothing before it, whatever the instant's zone; a chart's value axis gets a
round step with at most eight grid lines; a sheet name is valid and unique in its book."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from fangkong.command.report_pdf import _step
from fangkong.command.report_xlsx import SHEET_NAME_MAX, _sheet_name
from fangkong.command.reports import report_day

CITY = ZoneInfo("Asia/Shanghai")
ZONES = st.sampled_from([ZoneInfo(z) for z in ("UTC", "Asia/Shanghai", "America/New_York",
                                               "Pacific/Kiritimati", "Etc/GMT+12")])
# hypothesis takes naive bounds and attaches the zones itself
MOMENTS = st.datetimes(min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001
                       max_value=dt.datetime(2030, 1, 1),  # noqa: DTZ001
                       timezones=ZONES)


@given(moment=MOMENTS, hour=st.integers(min_value=0, max_value=23))
def test_the_daily_run_reports_on_the_citys_yesterday_after_the_hour(moment: dt.datetime,
                                                                     hour: int) -> None:
    local = moment.astimezone(CITY)
    with override_settings(COMMAND_REPORT_HOUR=hour, TIME_ZONE="Asia/Shanghai"):
        day = report_day(moment)
    if local.hour < hour:
        assert day is None
    else:
        assert day == local.date() - dt.timedelta(days=1)


@given(top=st.floats(min_value=4, max_value=1e9, allow_nan=False))
def test_a_chart_step_is_round_and_gives_few_lines(top: float) -> None:
    step = _step(top)
    assert top / step <= 8
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in (1, 2, 2.5, 5)


@given(titles=st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=12))
def test_sheet_names_are_valid_and_unique(titles: list[str]) -> None:
    used: set[str] = set()
    names = [_sheet_name(t, used) for t in titles]
    assert len({n.lower() for n in names}) == len(names)  # Excel ignores case
    for name in names:
        assert 0 < len(name) <= SHEET_NAME_MAX and not re.search(r"[\[\]:*?/\\]", name)
        assert not name.startswith("'") and not name.endswith("'")
