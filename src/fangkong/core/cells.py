"""Parsing the dates, times and numbers that arrive as text (a CSV cell, a JSON string) the
same way in every importer. Django's ``parse_date``/``parse_datetime`` answer None for text
that is not shaped like a date but raise ``ValueError`` for a well-shaped impossible one
(30 February, hour 25, an offset of +99:00); ``Decimal`` parses ``nan`` and ``inf``, which
then raise on the first comparison. Here each of these is a :class:`DomainError` naming the
field, so an importer reports the line instead of failing on it."""

from __future__ import annotations

import datetime as dt
import decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.errors import DomainError

SKEW = dt.timedelta(minutes=5)  # a device clock a little ahead is not a report from the future
# Times outside these years are typing errors, and near year 1 or 9999 converting the
# offset to UTC (as the database does) overflows.
YEARS = (1900, 2999)


def moment(value: dt.datetime | str, *, field: str) -> dt.datetime:
    """An aware time (one without an offset is the city's); anything else names ``field``."""
    try:
        when = parse_datetime(value.strip()) if isinstance(value, str) else value
    except ValueError:
        when = None
    if not isinstance(when, dt.datetime) or not YEARS[0] <= when.year <= YEARS[1]:
        raise DomainError(_("%(field)s is not a date and time") % {"field": field},
                          field=field)
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def past_moment(value: dt.datetime | str, *, field: str) -> dt.datetime:
    """:func:`moment`, and not later than the clock (give or take ``SKEW``)."""
    when = moment(value, field=field)
    if when > clock.now() + SKEW:
        raise DomainError(_("%(field)s is in the future") % {"field": field}, field=field)
    return when


def day(value: dt.date | str) -> dt.date | None:
    """A date written YYYY-MM-DD, or None when the text is not one (the caller says why)."""
    if isinstance(value, dt.date):
        return value
    try:
        found = parse_date(value.strip())
    except ValueError:
        return None
    return found if found is not None and YEARS[0] <= found.year <= YEARS[1] else None


def finite_decimal(value: object, *, places: str) -> decimal.Decimal | None:
    """The number rounded to ``places`` (e.g. "0.1"), or None when the text is not a finite
    number that fits (``nan``, ``inf``, ``1e309``, ``abc``)."""
    try:
        found = decimal.Decimal(str(value).strip())
        if not found.is_finite():
            return None
        return found.quantize(decimal.Decimal(places))
    except decimal.InvalidOperation:
        return None
