"""Column specifications of the registry's CSV/Excel files: one parser per column, so every
bad cell is reported with its line number and the reason, before anything is written."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangkong.registry.logic import id_number_problem, phone_problem
from fangkong.registry.models import Occupation, Sex, VenueType

Parser = Callable[[str], Any]

# The problems registry.logic reports (it cannot import Django), for the translation catalogue.
LOGIC_PROBLEMS = [
    gettext_noop("must be 17 digits and a check character"),
    gettext_noop("contains an impossible birth date"),
    gettext_noop("check character does not match"),
    gettext_noop("must be an 11-digit mobile number starting 13–19"),
]


def text(*, max_len: int, required: bool = True) -> Parser:
    def parse(raw: str) -> str:
        if required and not raw:
            raise ValueError(_("is required"))
        if len(raw) > max_len:
            raise ValueError(_("is longer than %(n)d characters") % {"n": max_len})
        return raw

    return parse


def choice(values: list[str], *, default: str | None = None) -> Parser:
    def parse(raw: str) -> str:
        if not raw and default is not None:
            return default
        if raw not in values:
            raise ValueError(_("must be one of %(values)s") % {"values": ", ".join(values)})
        return raw

    return parse


def number(kind: type[int] | type[float], *, low: float, high: float,
           required: bool = True) -> Parser:
    """A number from ``low`` to ``high``: ``float`` parses ``nan`` and ``inf`` and ``int``
    any number of digits, neither of which a database column holds."""
    def parse(raw: str) -> Any:
        if not raw:
            if required:
                raise ValueError(_("is required"))
            return None
        try:
            found = kind(raw)
        except ValueError:
            raise ValueError(_("is not a number")) from None
        if not (math.isfinite(found) and low <= found <= high):
            raise ValueError(_("must be from %(low)s to %(high)s") % {"low": low, "high": high})
        return found

    return parse


def date(raw: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError(_("is not a date (YYYY-MM-DD)")) from None


def flag(raw: str) -> bool:
    low = raw.strip().lower()
    if low in {"", "0", "false", "no", "n", "否"}:
        return False
    if low in {"1", "true", "yes", "y", "是"}:
        return True
    raise ValueError(_("must be true/false (1/0, 是/否)"))


def validated(check: Callable[[str], str | None], *, required: bool = True) -> Parser:
    def parse(raw: str) -> str:
        if not raw:
            if required:
                raise ValueError(_("is required"))
            return ""
        problem = check(raw)
        if problem:
            raise ValueError(_(problem))
        return raw

    return parse


FLOORS_MAX = 200  # the tallest building in China has 128
ID_MAX = 2**63 - 1  # a row id (BigAutoField)
LAT = number(float, low=-90, high=90)
LON = number(float, low=-180, high=180)
ROW_ID = number(int, low=1, high=ID_MAX)


@dataclass(frozen=True)
class FileSpec:
    kind: str
    columns: dict[str, Parser]  # header → parser; order is the export order
    placed_by: str  # the column naming the grid (by code) or the parent (by id)


SPECS: dict[str, FileSpec] = {
    "buildings": FileSpec(
        kind="buildings",
        columns={
            "name": text(max_len=64), "address": text(max_len=200),
            "grid_code": text(max_len=24), "lat": LAT, "lon": LON,
            "floors": number(int, low=1, high=FLOORS_MAX),
        },
        placed_by="grid_code",
    ),
    "households": FileSpec(
        kind="households",
        columns={"building_id": ROW_ID, "address": text(max_len=200)},
        placed_by="building_id",
    ),
    "persons": FileSpec(
        kind="persons",
        columns={
            "name": text(max_len=64),
            "id_number": validated(id_number_problem, required=False),
            "phone": validated(phone_problem, required=False),
            "sex": choice([s.value for s in Sex]),
            "birth_date": date,
            "address": text(max_len=200, required=False),
            "household_id": number(int, low=1, high=ID_MAX, required=False),
            "grid_code": text(max_len=24),
            "occupation": choice([o.value for o in Occupation], default="other"),
            "over80_alone": flag, "disabled": flag, "pregnant": flag,
            "chronic_care": flag, "infant": flag,
        },
        placed_by="grid_code",
    ),
    "venues": FileSpec(
        kind="venues",
        columns={
            "venue_code": text(max_len=32), "type": choice([v.value for v in VenueType]),
            "name": text(max_len=128), "address": text(max_len=200, required=False),
            "grid_code": text(max_len=24), "lat": number(float, low=-90, high=90, required=False),
            "lon": number(float, low=-180, high=180, required=False),
        },
        placed_by="grid_code",
    ),
}


def spec_for(kind: str) -> FileSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"unknown file kind {kind!r}; one of {', '.join(SPECS)}") from None
