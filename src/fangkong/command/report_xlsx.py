"""The situation report as an Excel workbook: a sheet of headline figures (with the summary),
one sheet per working group's table of child units (with a bar chart), and a sheet of trends
whose line charts are Excel's own (they stay live when someone edits the numbers)."""

from __future__ import annotations

import io
import re

from django.utils import formats
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fangkong.command.report_data import ReportData, Section, Trend, headline_heads

BOLD = Font(bold=True)
HEAD = PatternFill("solid", fgColor="E4E7EB")
SHEET_NAME_MAX = 31
CHART_ROWS = 16  # rows a chart covers, so the next trend's block starts below it


def render_xlsx(data: ReportData) -> bytes:
    """The report's workbook; call inside ``translation.override(data.language)``."""
    book = Workbook()
    headline = book.active
    assert headline is not None
    _headline_sheet(headline, data)
    used = {headline.title.lower()}
    for section in data.sections:
        if section.rows:
            _section_sheet(book.create_sheet(_sheet_name(section.title, used)), section,
                           data.child_level)
    if data.trends:
        _trends_sheet(book.create_sheet(_sheet_name(pgettext("situation report", "Trends"), used)),
                      data.trends)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, no apostrophe at either end,
    unique in the book ignoring case (``used`` holds the names taken, lower-cased)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'")[:SHEET_NAME_MAX].strip("'")
    base = base or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _headline_sheet(ws: Worksheet, data: ReportData) -> None:
    ws.title = pgettext("situation report", "Headline figures")[:SHEET_NAME_MAX]
    ws.append([f"{data.unit_name} {data.title}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([pgettext("situation report", "Day"), data.day])
    ws.append([pgettext("situation report", "Generated at"),
               formats.date_format(data.generated_at, "DATETIME_FORMAT")])
    ws["B2"].number_format = "yyyy-mm-dd"
    ws["B2"].alignment = Alignment(horizontal="left")
    ws.append([])
    for text in data.summary:
        ws.append([text])
    ws.append([])
    ws.append([pgettext("situation report", "Group"), *headline_heads()])
    _style_head(ws, ws.max_row)
    for section in data.sections:
        for line in section.lines:
            ws.append([section.title, line.label, line.measure, line.value, line.previous,
                       line.delta])
    _widths(ws, [18, 34, 10, 12, 12, 10])


def _section_sheet(ws: Worksheet, section: Section, level: str) -> None:
    ws.append([level, *(line.label for line in section.lines)])
    _style_head(ws, 1)
    ws.freeze_panes = "B2"
    for name, values in section.rows:
        ws.append([name, *values])
    _widths(ws, [22] + [16] * len(section.lines))
    chart = BarChart()
    chart.type = "col"
    chart.title = section.title
    chart.height, chart.width = 8, max(14, 2 * len(section.rows))
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(section.lines), min_row=1,
                             max_row=1 + len(section.rows)), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + len(section.rows)))
    ws.add_chart(chart, f"A{len(section.rows) + 4}")


def _trends_sheet(ws: Worksheet, trends: list[Trend]) -> None:
    """Each trend: its data block (day, one column per series) and a line chart beside it."""
    row = 1
    for trend in trends:
        ws.cell(row=row, column=1, value=trend.title).font = BOLD
        head = row + 1
        ws.cell(row=head, column=1, value=pgettext("situation report", "Day"))
        for c, (label, _values) in enumerate(trend.series, start=2):
            ws.cell(row=head, column=c, value=label)
        _style_head(ws, head)
        for r, day in enumerate(trend.days, start=head + 1):
            ws.cell(row=r, column=1, value=day).number_format = "mm-dd"
            for c, (_label, values) in enumerate(trend.series, start=2):
                ws.cell(row=r, column=c, value=values[r - head - 1])
        last = head + len(trend.days)
        chart = LineChart()
        chart.title = trend.title
        chart.height, chart.width = 7.5, 16
        chart.add_data(Reference(ws, min_col=2, max_col=1 + len(trend.series), min_row=head,
                                 max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        ws.add_chart(chart, f"{get_column_letter(len(trend.series) + 3)}{row}")
        row = max(last, row + CHART_ROWS) + 2
    _widths(ws, [12] + [18] * max(len(t.series) for t in trends))


def _style_head(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = BOLD
        cell.fill = HEAD


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
