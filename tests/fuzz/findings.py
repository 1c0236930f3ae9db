"""Crashes the fuzzing found and the lead has not fixed yet. Each is pinned by an
``xfail(strict=True)`` case in ``test_fuzz_findings.py`` (so a fix shows up as XPASS and
both entries go); while it stands, the property tests count a matching exception as that
finding and check the rest (nothing partially written) instead of stopping on it."""

from __future__ import annotations

import csv
import decimal
import re
from collections import Counter
from dataclasses import dataclass

from django.db import DataError, IntegrityError

CSV_READERS = ("pharmacy-sales", "fever-clinic", "arrivals", "supplies-stock",
               "coldchain-batches", "coldchain-movements", "vaccination-doses")
DATETIME_READERS = ("pharmacy-sales", "fever-clinic", "arrivals", "coldchain-batches",
                    "coldchain-movements")
REGISTRY = ("registry-persons", "registry-buildings", "registry-persons-xlsx")


@dataclass(frozen=True)
class Finding:
    key: str
    importers: tuple[str, ...]
    exceptions: tuple[type[BaseException], ...]
    message: str  # a regex the exception's text matches
    where: str

    def matches(self, importer: str, exc: BaseException) -> bool:
        return (importer in self.importers and isinstance(exc, self.exceptions)
                and re.search(self.message, str(exc)) is not None)


FINDINGS = [
    Finding("csv-field-limit", CSV_READERS, (csv.Error,), "field larger than field limit",
            "core/csvfile.py read_csv_rows: csv.Error on a cell over 131072 characters"),
    Finding("csv-bare-cr", CSV_READERS, (csv.Error,), "new-line character seen",
            "core/csvfile.py read_csv_rows: a file whose lines end in a bare CR (Excel's "
            "'CSV (Macintosh)') raises csv.Error: the text goes through io.StringIO without "
            "newline=''"),
    Finding("coldchain-short-row", ("coldchain-batches", "coldchain-movements"),
            (TypeError,), "missing .*required",
            "coldchain/intake.py _import drops the columns a short row lacks, then "
            "do_record_batch/do_record_movement get too few arguments (TypeError)"),
    Finding("impossible-datetime", DATETIME_READERS, (ValueError,),
            r"out of range|must be in|offset must be",
            "parse_datetime raises ValueError on a well-formed impossible time "
            "(healthcode/reports.py _moment, warning/clinic.py moment, warning/arrivals.py "
            "_moment, coldchain/intake.py _moment)"),
    Finding("impossible-date", ("vaccination-doses", "coldchain-batches"), (ValueError,),
            "day is out of range|month must be in",
            "parse_date raises ValueError on 2022-02-30 (vaccination/doses.py _day, "
            "coldchain/intake.py check_batch disinfected_on)"),
    Finding("decimal-nan", ("fever-clinic", "supplies-stock"), (decimal.InvalidOperation,), "",
            "Decimal('nan') passes parsing, then a comparison raises InvalidOperation "
            "(warning/clinic.py _temperature, supplies/reports.py _checked)"),
    Finding("registry-out-of-range", ("registry-buildings",),
            (OverflowError, IntegrityError, DataError), "",
            "registry/io_specs.py number(): 'nan' lat/lon reaches the NOT NULL column, a "
            "20-digit floors overflows the integer column; do_import does not catch either"),
    Finding("xlsx-not-a-workbook", ("registry-persons-xlsx",), (KeyError,),
            r"no item named", "registry/io.py read_rows: a zip that is not a workbook "
            "raises KeyError from openpyxl; the import page catches only ValueError, "
            "csv.Error and BadZipFile"),
    Finding("nul-on-postgresql", CSV_READERS + REGISTRY + ("lab-results",),
            (ValueError, DataError), "NUL|0x00",
            "PostgreSQL refuses NUL characters in text; the importers pass them through"),
]
FOUND: Counter[str] = Counter()


def known(importer: str, exc: BaseException) -> Finding | None:
    return next((f for f in FINDINGS if f.matches(importer, exc)), None)
