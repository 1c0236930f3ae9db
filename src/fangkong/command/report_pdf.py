"""The situation report as PDF (A4): header with the unit and day on every page, page numbers
and the generation time in the footer, the summary, headline figures with the change from the
day before, trend charts (vector, reportlab.graphics) and one table per working group with a
row per child unit.

Chinese needs a font the PDF can embed: reportlab embeds TrueType outlines only, and Debian's
Noto CJK is CFF (OpenType), so the first of :data:`FONT_CANDIDATES` found is used
(``fonts-wqy-zenhei`` in the install docs); none found is an error naming the package, and the
report is marked failed rather than drawn in boxes."""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fangkong.command.report_data import Line, ReportData, Section, Trend, headline_heads
from fangkong.core.errors import DomainError

# TrueType-outline CJK fonts of Debian packages, in order of preference: (path, index in a .ttc)
FONT_CANDIDATES: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
]
FONT = "FangkongCJK"
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
HEAD_BG = colors.HexColor("#e4e7eb")
SERIES = [colors.HexColor(c) for c in ("#c81e1e", "#2563eb", "#059669", "#d97706", "#7c3aed",
                                        "#0891b2")]
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN


def font_file() -> tuple[str, int]:
    """The CJK TrueType font to embed, or a DomainError naming the package to install."""
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise DomainError(_("no TrueType CJK font found to embed in the PDF; install the Debian "
                        "package fonts-wqy-zenhei"), field="font")


def _register_font() -> None:
    path, index = font_file()
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))


def render_pdf(data: ReportData) -> bytes:
    """The report's PDF; call inside ``translation.override(data.language)``."""
    _register_font()
    styles = _styles(data.language)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + 8 * mm, bottomMargin=MARGIN + 4 * mm,
                            title=f"{data.title} {data.unit_name} {data.day.isoformat()}",
                            author="Fangkong", subject=data.title,
                            initialFontName=FONT)  # else each page names Helvetica, unembedded
    doc.build(_story(data, styles), canvasmaker=partial(_PagedCanvas, data=data))
    return out.getvalue()


def _styles(language: str) -> dict[str, ParagraphStyle]:
    wrap = "CJK" if language.startswith("zh") else None
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, textColor=INK,
                          wordWrap=wrap)
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=26, spaceAfter=2),
        "sub": ParagraphStyle("sub", parent=body, fontSize=11, textColor=MUTED, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=body, fontSize=13, leading=18, spaceBefore=10,
                             spaceAfter=5),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12),
    }


def _story(data: ReportData, st: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [
        Paragraph(_esc(f"{data.unit_name} {data.title}"), st["title"]),
        Paragraph(_esc(formats.date_format(data.day, "DATE_FORMAT")), st["sub"]),
        Paragraph(_esc(pgettext("situation report", "Summary")), st["h2"]),
    ]
    story += [Paragraph(_esc(text), st["body"]) for text in data.summary]
    story += [Paragraph(_esc(pgettext("situation report", "Headline figures")), st["h2"]),
              _headline_table(data, st)]
    if data.trends:
        story += [CondPageBreak(80 * mm),
                  Paragraph(_esc(_("Trends over %(n)d days") % {"n": len(data.trends[0].days)}),
                            st["h2"])]
        story += [KeepTogether([_chart(t), Spacer(1, 4 * mm)]) for t in data.trends]
    for section in data.sections:
        if section.rows:
            story += [CondPageBreak(40 * mm),
                      Paragraph(_esc(_("%(group)s by %(level)s")
                                     % {"group": section.title,
                                        "level": data.child_level.lower()}),
                                st["h2"]),
                      _child_table(section, data.child_level, st)]
    return story


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def change(line: Line) -> str:
    delta = line.delta
    if delta is None:
        return "—"
    return f"+{delta:,}" if delta > 0 else f"{delta:,}"  # ASCII minus: the font lacks U+2212


def _headline_table(data: ReportData, st: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [headline_heads()]
    group_rows = []
    for section in data.sections:
        group_rows.append(len(rows))
        rows.append([section.title, "", "", "", ""])
        rows += [[Paragraph(_esc(line.label), st["cell"]), line.measure, number(line.value),
                  number(line.previous), change(line)] for line in section.lines]
    table = Table(rows, colWidths=[WIDTH * 0.46, WIDTH * 0.12, WIDTH * 0.14, WIDTH * 0.14,
                                   WIDTH * 0.14], repeatRows=1)
    style = _grid_style()
    style.add("ALIGN", (2, 0), (-1, -1), "RIGHT")
    for r in group_rows:
        style.add("SPAN", (0, r), (-1, r))
        style.add("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f5f7fa"))
        style.add("TEXTCOLOR", (0, r), (-1, r), MUTED)
    table.setStyle(style)
    return table


def _child_table(section: Section, level: str, st: dict[str, ParagraphStyle]) -> Table:
    head = [level] + [Paragraph(_esc(line.label), st["cell"]) for line in section.lines]
    rows: list[list[Any]] = [head]
    rows += [[Paragraph(_esc(name), st["cell"]), *(number(v) for v in values)]
             for name, values in section.rows]
    first = WIDTH * 0.28
    rest = (WIDTH - first) / max(1, len(section.lines))
    table = Table(rows, colWidths=[first] + [rest] * len(section.lines), repeatRows=1)
    style = _grid_style()
    style.add("ALIGN", (1, 1), (-1, -1), "RIGHT")
    table.setStyle(style)
    return table


def _grid_style() -> TableStyle:
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])


def _chart(trend: Trend) -> Drawing:
    """A line chart of the trend's series over its days, with a legend under it (one row,
    or two columns when more than three series would not fit in one)."""
    rows = 1 if len(trend.series) <= 3 else (len(trend.series) + 1) // 2
    plot_y = 24 + 11 * rows
    height = 48 * mm + plot_y
    drawing = Drawing(WIDTH, height)
    drawing.initialFontName = FONT  # the renderer's starting state names Helvetica otherwise
    drawing.add(String(0, height - 10, trend.title, fontName=FONT, fontSize=10, fillColor=INK))
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 34, plot_y, WIDTH - 44, height - plot_y - 22
    chart.data = [tuple(values) for _label, values in trend.series]
    chart.categoryAxis.categoryNames = [d.strftime("%m-%d") for d in trend.days]
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = FONT, 7
    top = max(4.0, 1.15 * max((v for _label, values in trend.series for v in values),
                              default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.valueStep = _step(top)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    for i in range(len(trend.series)):
        chart.lines[i].strokeColor = SERIES[i % len(SERIES)]
        chart.lines[i].strokeWidth = 1.6
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.alignment = 34, 11 * rows + 2, "right"
    legend.fontName, legend.fontSize = FONT, 8
    legend.columnMaximum, legend.dx, legend.dy, legend.deltay = rows, 8, 6, 11
    legend.colorNamePairs = [(SERIES[i % len(SERIES)], label)
                             for i, (label, _values) in enumerate(trend.series)]
    drawing.add(legend)
    return drawing


def _step(top: float) -> float:
    """A round step giving four to eight grid lines up to ``top``."""
    step = 1.0
    while top / step > 8:
        for factor in (2, 2.5, 2):
            step *= factor
            if top / step <= 8:
                break
    return step


class _PagedCanvas(canvas.Canvas):
    """Keeps every page until the end so each footer can say "page n of N"."""

    def __init__(self, *args: Any, data: ReportData, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._report = data
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802  (reportlab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for n, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._frame(n, total)
            super().showPage()
        super().save()

    def _frame(self, page: int, total: int) -> None:
        data, width, height = self._report, A4[0], A4[1]
        self.saveState()
        self.setFont(FONT, 8.5)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, height - MARGIN, f"{data.title} · {data.unit_name}")
        self.drawRightString(width - MARGIN, height - MARGIN,
                             formats.date_format(data.day, "DATE_FORMAT"))
        self.setStrokeColor(RULE)
        self.line(MARGIN, height - MARGIN - 4, width - MARGIN, height - MARGIN - 4)
        stamp = formats.date_format(data.generated_at, "DATETIME_FORMAT")
        self.drawString(MARGIN, MARGIN, _("Generated at %(when)s") % {"when": stamp})
        self.drawRightString(width - MARGIN, MARGIN,
                             _("Page %(page)d of %(total)d") % {"page": page, "total": total})
        self.restoreState()
