"""An outlet's daily stock and prices (intake). An outlet is a registry venue of type market
or supermarket; a ``market`` user is bound to the unit of their venue (its grid), so the
outlets they may report for are the market venues in their scope (one: it is chosen for
them). A district officer uploads many outlets' days as CSV, naming each by venue code.

One row per venue × good × day: the same client key again is ``unchanged``; a new key for the
same venue, good and day is a correction and ``replaced`` (audited with before and after).
The street's alerts of the day are recomputed after the commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import cells, clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.registry.models import Venue, VenueType
from fangkong.supplies.alerts import do_compute_alerts
from fangkong.supplies.logic import GOODS
from fangkong.supplies.models import StockReport

OUTLET_TYPES = (VenueType.MARKET, VenueType.SUPERMARKET)
KEY_MAX = 64
BACK_DAYS = 31  # a report older than this is refused (a correction that late is an upload)
STOCK_MAX = Decimal("100000000")
PRICE_MAX = Decimal("10000")


def outlets_of(actor: Actor) -> list[Venue]:
    """The markets and supermarkets in the actor's scope."""
    return list(scope(Venue.objects.filter(type__in=OUTLET_TYPES), actor).order_by("name")[:500])


def outlet_for(actor: Actor, venue_id: int | None) -> Venue:
    found = scope(Venue.objects.filter(type__in=OUTLET_TYPES), actor)
    if venue_id is None:
        only = list(found[:2])
        if len(only) == 1:
            return only[0]
    venue = found.filter(pk=venue_id).first() if venue_id is not None else None
    if venue is None:
        raise DomainError(_("choose a market or supermarket in your jurisdiction"),
                          field="venue_id")
    return venue


def checked_day(value: dt.date | str) -> dt.date:
    day = cells.day(value)
    if day is None:
        raise DomainError(_("the day is not a date (YYYY-MM-DD)"), field="day")
    today = timezone.localdate(clock.now())
    if day > today:
        raise DomainError(_("the day is in the future"), field="day")
    if day < today - dt.timedelta(days=BACK_DAYS):
        raise DomainError(_("the day is more than %(n)d days ago") % {"n": BACK_DAYS},
                          field="day")
    return day


def _number(value: Decimal | float | str | None, *, name: str, places: str,
            high: Decimal, positive: bool) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("%(name)s is required") % {"name": name}, field=name)
    found = cells.finite_decimal(value, places=places)
    if found is None:
        raise DomainError(_("%(name)s is not a number") % {"name": name}, field=name)
    if found < 0 or (positive and found == 0) or found >= high:
        raise DomainError(_("%(name)s is out of range") % {"name": name}, field=name)
    return found


def _checked(*, good: str, client_key: str, stock: Any, price: Any
             ) -> tuple[str, str, Decimal, Decimal]:
    good = good.strip().lower()
    if good not in GOODS:
        raise DomainError(_("the good must be one of %(goods)s") % {"goods": ", ".join(GOODS)},
                          field="good")
    key = client_key.strip()
    if not key or len(key) > KEY_MAX:
        raise DomainError(_("a client key of 1 to %(n)d characters is needed") % {"n": KEY_MAX},
                          field="client_key")
    return (good, key, _number(stock, name="stock", places="0.1", high=STOCK_MAX,
                               positive=False),
            _number(price, name="price", places="0.01", high=PRICE_MAX, positive=True))


def store_row(*, actor: Actor, venue: Venue, day: dt.date, good: str, client_key: str,
              stock: Any, price: Any) -> str:
    """Store one venue × good × day; ``stored``, ``replaced`` or ``unchanged``. Runs inside
    the caller's transaction, which calls :func:`recompute_after_commit`."""
    good, key, amount, unit_price = _checked(good=good, client_key=client_key, stock=stock,
                                             price=price)
    found = (StockReport.objects.select_for_update()
             .filter(venue=venue, good=good, day=day).first())
    if found is not None and found.client_key == key:
        return "unchanged"
    before = snapshot(found) if found is not None else None
    row = found or StockReport(venue=venue, good=good, day=day)
    row.district_id, row.street_id = venue.district_id, venue.street_id
    row.community_id, row.grid_id = venue.community_id, venue.grid_id
    row.stock, row.price, row.client_key = amount, unit_price, key
    row.reported_by_id, row.recorded_at = actor.user_id, clock.now()
    row.save()
    record(actor=actor, verb="supplies.stock." + ("replace" if found else "report"),
           target=row, before=before, after=snapshot(row))
    return "replaced" if found else "stored"


def recompute_after_commit(pairs: Iterable[tuple[int | None, dt.date]]) -> None:
    """Recompute these street-days' alerts once the surrounding transaction commits (in its
    own transaction: a failing computation never loses an acknowledged report)."""
    todo = sorted({(d, s) for s, d in pairs if s is not None})

    def run() -> None:
        for day in sorted({d for d, _s in todo}):
            do_compute_alerts(day=day, street_ids=[s for d, s in todo if d == day])

    if todo:
        transaction.on_commit(run, robust=True)


def do_report_day(*, actor: Actor, client_key: str, goods: dict[str, dict[str, Any]],
                  day: dt.date | str | None = None, venue_id: int | None = None
                  ) -> dict[str, str]:
    """An outlet's day in one form: ``goods`` maps each good reported to its stock and price
    (all six, or those it sells). Every good is checked before any is stored."""
    actor.require(Right.SUPPLIES_REPORT)
    venue = outlet_for(actor, venue_id)
    when = checked_day(day if day is not None else timezone.localdate(clock.now()))
    if not goods:
        raise DomainError(_("report at least one good"), field="goods")
    for good, values in goods.items():
        try:
            _checked(good=good, client_key=f"{client_key.strip()}:{good}", **values)
        except DomainError as exc:
            raise DomainError(exc.message, field=f"{good}_{exc.field}") from None
    with transaction.atomic():
        answer = {good: store_row(actor=actor, venue=venue, day=when, good=good,
                                  client_key=f"{client_key.strip()}:{good}", **values)
                  for good, values in goods.items()}
        recompute_after_commit([(venue.street_id, when)])
    return answer
