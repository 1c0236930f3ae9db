"""Crashes the fuzzing found that are not fixed yet. Each is pinned by an
``xfail(strict=True)`` case in ``test_fuzz_findings.py`` (so a fix shows up as XPASS and
both entries go); while it stands, the property tests count a matching exception as that
finding and check the rest (nothing partially written) instead of stopping on it.

Of the 13 findings of the first run, 12 are fixed in the importers (docs/reliability.md);
the one left is in the laboratory's reader, outside the files this fuzzing's fixes touched."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.db import DataError


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
    Finding("nul-on-postgresql", ("lab-results",), (ValueError, DataError), "NUL|0x00",
            "testing/results.py read_csv (pandas) passes a NUL character through to the "
            "tube lookup; PostgreSQL refuses NUL in text (the other importers refuse it in "
            "core/csvfile.py read_records)"),
]
FOUND: Counter[str] = Counter()


def known(importer: str, exc: BaseException) -> Finding | None:
    return next((f for f in FINDINGS if f.matches(importer, exc)), None)
