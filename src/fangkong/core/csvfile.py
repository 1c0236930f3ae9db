"""Reading an uploaded CSV file the same way everywhere: UTF-8 (a BOM from Excel allowed),
a header naming the required columns in any order and case, values stripped, a size limit.
A file that fails any of these is refused as a whole, naming the problem on ``file``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError


def read_csv_rows(data: bytes, *, columns: Sequence[str], max_rows: int) -> list[dict[str, str]]:
    """The file's lines as dicts of lower-cased column names to stripped values."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(_("not a UTF-8 CSV file"), field="file") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    if missing:
        raise DomainError(_("the header lacks %(cols)s") % {"cols": ", ".join(missing)},
                          field="file")
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
             if isinstance(v, str)} for row in reader]
    if len(rows) > max_rows:
        raise DomainError(_("at most %(n)d lines in one file") % {"n": max_rows},
                          field="file")
    return rows
