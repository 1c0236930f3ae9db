"""The report's files as a reader gets them: the PDF's pages rendered by poppler (pdftoppm)
and its text extracted (pdftotext) hold the Chinese names and the figures, every font is
embedded, every character has a glyph in the CJK font (no tofu), the heading's glyphs are
distinct shapes with ink (tofu would be identical boxes); the workbook reopened with
openpyxl has the headline sheet, a sheet per table and Excel's own charts."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from openpyxl import load_workbook
from PIL import Image
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import TTFontFile

from fangkong.command import report_data
from fangkong.command.queries import METRICS
from fangkong.command.report_data import ReportData
from fangkong.command.report_pdf import MARGIN, font_file, render_pdf
from fangkong.command.report_xlsx import render_xlsx
from tests.command.builders_reports import DAY, seed_figures, value
from tests.factories import City

POPPLER = pytest.mark.skipif(
    not shutil.which("pdftoppm") and not os.environ.get("CI"),
    reason="poppler-utils (pdftoppm, pdftotext, pdffonts) not installed; required when CI is set")
AT = dt.datetime(2022, 5, 2, 7, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
DPI = 100


def _data(city: City, language: str) -> ReportData:
    seed_figures(city)
    figures = report_data.collect(unit=city.unit, day=DAY)
    return report_data.present(figures=figures, language=language, generated_at=AT)


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603


def _pdf(city: City, tmp_path: Path, language: str) -> Path:
    data = _data(city, language)
    with translation.override(language):
        content = render_pdf(data)
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return path


@POPPLER
def test_the_chinese_pdf_reads_back_with_names_figures_and_page_numbers(
        city: City, tmp_path: Path) -> None:
    path = _pdf(city, tmp_path, "zh-hans")
    text = _run("pdftotext", "-layout", str(path), "-")
    with translation.override("zh-hans"):
        title = gettext("Daily situation report")
        assert title in text and pgettext("situation report", "Headline figures") in text
    assert "示范市" in text and "第1区" in text and "第2区" in text
    assert "2022年5月1日" in text
    first = next(iter(METRICS))
    city_value = sum(value(district=d, metric=0, day=DAY) for d in (1, 2))
    assert f"{city_value:,}" in text  # the headline
    assert f"{value(district=2, metric=0, day=DAY):,}" in text  # the district table
    pages = text.count("\f")
    assert pages >= 2 and f"{pages}" in text.split("\f")[0]
    assert first not in text  # labels, not internal names


@POPPLER
def test_every_font_is_embedded_and_every_character_has_a_glyph(city: City,
                                                                 tmp_path: Path) -> None:
    path = _pdf(city, tmp_path, "zh-hans")
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "the PDF names no font"
    for row in fonts:  # name, type, encoding, emb, sub, uni, object, generation
        assert row.split()[-5] == "yes", f"not embedded: {row}"
    font_path, index = font_file()
    glyphs = TTFontFile(font_path, subfontIndex=index).charToGlyph
    text = _run("pdftotext", str(path), "-")
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in glyphs})
    assert not missing, f"characters without a glyph (tofu): {missing}"


def _glyph_shapes(image: Image.Image) -> list[Image.Image]:
    """The heading's glyphs, cut at blank columns, as black-and-white bitmaps (the page's
    first line of ink below the running header and its rule)."""
    gray = image.convert("L")
    width = gray.size[0]
    y = round((MARGIN + 5 * mm) / 72 * DPI)
    while not _row_ink(gray, y):
        y += 1
    top = y
    while _row_ink(gray, y):
        y += 1
    band = gray.crop((0, top, width, y)).point(lambda p: 255 if p >= 128 else 0)
    columns = [any(band.getpixel((x, r)) == 0 for r in range(band.height))
               for x in range(width)]
    shapes, start = [], None
    for x, has in enumerate([*columns, False]):
        if has and start is None:
            start = x
        elif not has and start is not None:
            shapes.append(band.crop((start, 0, x, band.height)))
            start = None
    return shapes


def _row_ink(gray: Image.Image, y: int) -> bool:
    return any(gray.getpixel((x, y)) < 128 for x in range(gray.size[0]))


def _alike(a: Image.Image, b: Image.Image) -> bool:
    """Two glyph bitmaps drawn from the same shape: about as wide, and under 15% of the
    pixels of their overlap differ (boxes of missing glyphs are alike; 示, 范, 市 are not)."""
    if abs(a.width - b.width) > 2:
        return False
    w = min(a.width, b.width)
    pa, pb = a.crop((0, 0, w, a.height)).tobytes(), b.crop((0, 0, w, b.height)).tobytes()
    return sum(x != y for x, y in zip(pa, pb, strict=True)) < 0.15 * len(pa)


@POPPLER
def test_the_rendered_page_has_ink_and_distinct_chinese_glyphs(city: City,
                                                               tmp_path: Path) -> None:
    path = _pdf(city, tmp_path, "zh-hans")
    _run("pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", str(path),
         str(tmp_path / "page"))
    image = Image.open(next(tmp_path.glob("page*.png")))
    assert abs(image.size[0] - 827) <= 1 and abs(image.size[1] - 1169) <= 1  # A4, 100 dpi
    gray = image.convert("L")
    dark = sum(gray.point(lambda p: 1 if p < 128 else 0).histogram()[1:])
    assert dark > 0.01 * image.size[0] * image.size[1], "the page is (nearly) blank"
    shapes = _glyph_shapes(image)
    assert len(shapes) >= 3
    # 示范市 in the heading: three different shapes, where missing glyphs draw one box each
    first = shapes[:3]
    assert not any(_alike(a, b) for i, a in enumerate(first) for b in first[i + 1:])


def test_the_workbook_reopens_with_its_sheets_numbers_and_charts(city: City) -> None:
    data = _data(city, "en")
    with translation.override("en"):
        book = load_workbook(io.BytesIO(render_xlsx(data)))
    assert book.sheetnames[0] == "Headline figures"
    assert book.sheetnames[-1] == "Trends"
    groups = [s.title for s in data.sections]
    assert book.sheetnames[1:-1] == groups
    head = book["Headline figures"]
    rows = list(head.iter_rows(values_only=True))
    assert rows[0][0] == "Demo City Daily situation report"
    table = rows[[r[0] for r in rows].index("Group") + 1:]
    first = data.lines[0]
    assert table[0][1:] == (first.label, first.measure, first.value, first.previous,
                            first.delta)
    assert len(table) == len(data.lines)
    district = book[groups[0]]
    assert [r[0] for r in district.iter_rows(min_row=2, values_only=True)] == [
        "District 1", "District 2"]
    assert district.cell(row=3, column=2).value == value(district=2, metric=0, day=DAY)
    assert len(district._charts) == 1
    assert len(book["Trends"]._charts) == len(data.trends)


def test_the_chinese_workbook_keeps_the_chinese_names(city: City) -> None:
    data = _data(city, "zh-hans")
    with translation.override("zh-hans"):
        book = load_workbook(io.BytesIO(render_xlsx(data)))
    first = book[book.sheetnames[1]]
    assert [r[0] for r in first.iter_rows(min_row=2, values_only=True)] == ["第1区", "第2区"]
    assert str(book.worksheets[0]["A1"].value).startswith("示范市")
