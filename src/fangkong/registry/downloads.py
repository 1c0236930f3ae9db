"""Export rows as file downloads, shared by the export page and the API."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse

from fangkong.registry.io import write_csv, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_download(rows: Iterator[list[str]], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_chunks(rows: Iterator[list[str]], *, size: int = 1000) -> Iterator[str]:
    """CSV text in chunks of ``size`` rows, so a city-wide export never sits in memory."""
    yield "\ufeff"  # a BOM, so spreadsheet programs read the UTF-8 names correctly
    buffer = io.StringIO()
    while batch := list(islice(rows, size)):
        write_csv(batch, buffer)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def xlsx_download(rows: Iterable[list[str]], filename: str) -> FileResponse:
    """XLSX is a zip written at the end, so it goes to a temporary file first, then streams."""
    spool = tempfile.TemporaryFile()  # FileResponse closes it when sent
    write_xlsx(rows, spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
