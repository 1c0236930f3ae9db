"""Release from the facility and the end of orders.

``do_release`` lets a person leave once the centralised phase is over and every centralised
test is negative (``logic.release_refusal``): it numbers a certificate, sends the room to be
disinfected, and either hands the order to the residence grid for the home phase (its home
tests and daily checks go on) or completes it. ``do_complete_due`` is the daily job: it
completes home orders past their last day and opens ``check_missed`` / ``test_overdue``
alerts, both idempotently and set-wise, so its cost follows the open orders, not history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.quarantine.care import alert_row
from fangkong.quarantine.logic import ResultState, release_refusal
from fangkong.quarantine.models import (
    OPEN_STATUSES,
    AlertKind,
    DailyCheck,
    OrderKind,
    OrderStatus,
    Phase,
    QuarantineAlert,
    QuarantineOrder,
    ScheduledTest,
    TestResult,
)
from fangkong.quarantine.orders import free_room, get_order, today

CHUNK = 2000


def _refusal_message(code: str, order: QuarantineOrder) -> str:
    return {
        "not_centralised": _("only a centralised order is released from a facility"),
        "positive": _("a centralised test is positive"),
        "too_early": _("the centralised phase lasts until %(day)s and its last test has no "
                       "result yet") % {"day": order.centralised_until},
        "pending": _("a centralised test has no result yet"),
    }[code]


def check_release(*, order: QuarantineOrder, on: dt.date) -> None:
    """Refuse clearly unless the person is in the facility, the centralised phase is over
    and every centralised test is negative."""
    if order.kind != OrderKind.CENTRALISED:
        raise Conflict(_refusal_message("not_centralised", order), field="order_id")
    if order.status != OrderStatus.IN_FACILITY:
        raise Conflict(_("only a person in a facility can be released"), field="status")
    tests = [ResultState(t.day_no, t.due_on, t.result)
             for t in order.tests.filter(phase=Phase.CENTRALISED)]
    code = release_refusal(centralised_until=order.centralised_until, tests=tests, today=on)
    if code is not None:
        raise Conflict(_refusal_message(code, order), field="tests")


def certificate_number(order: QuarantineOrder, on: dt.date) -> str:
    """Printed on the certificate: the release date and the order's number, unique."""
    return f"QR{on:%Y%m%d}-{order.pk:07d}"


def do_release(*, actor: Actor, order_id: int) -> QuarantineOrder:
    """Release from the facility: home phase next if it has days left, else completed."""
    actor.require(Right.QUARANTINE_MANAGE)
    day, now = today(), clock.now()
    with transaction.atomic():
        order = get_order(actor=actor, order_id=order_id, lock=True)
        check_release(order=order, on=day)
        before = snapshot(order)
        order.certificate_no = certificate_number(order, day)
        order.released_at, order.released_by_id = now, actor.user_id
        if order.ends_on > day:
            order.status = OrderStatus.AT_HOME
        else:
            order.status, order.completed_at = OrderStatus.COMPLETED, now
        order.save(update_fields=["certificate_no", "released_at", "released_by", "status",
                                  "completed_at"])
        free_room(order, disinfect=True)
        QuarantineAlert.objects.filter(order=order, resolved_at__isnull=True,
                                       kind=AlertKind.CHECK_MISSED).update(resolved_at=now)
        record(actor=actor, verb="quarantine.order.release", target=order, before=before,
               after=snapshot(order))
    return order


@dataclass
class DueResult:
    completed: int = 0
    checks_missed: int = 0
    tests_overdue: int = 0


def do_complete_due(*, on: dt.date | None = None) -> DueResult:
    """The daily job (run it any number of times a day): home orders past ``ends_on`` with
    no pending or positive test are completed; an open order with no check yesterday, or a
    test due before today without a result, gets one open alert of its kind."""
    day = on or today()
    result = DueResult()
    pending = ScheduledTest.objects.filter(
        order=OuterRef("pk"), result__in=[TestResult.PENDING, TestResult.POSITIVE])
    done = QuarantineOrder.objects.filter(status=OrderStatus.AT_HOME, ends_on__lt=day).exclude(
        Exists(pending))
    now = clock.now()
    with transaction.atomic():
        ids = list(done.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            result.completed += QuarantineOrder.objects.filter(
                pk__in=ids[start:start + CHUNK], status=OrderStatus.AT_HOME).update(
                status=OrderStatus.COMPLETED, completed_at=now)
    yesterday = day - dt.timedelta(days=1)
    live = QuarantineOrder.objects.filter(
        status__in=[OrderStatus.IN_FACILITY, OrderStatus.AT_HOME], starts_on__lte=yesterday,
        ends_on__gte=yesterday)
    checked = DailyCheck.objects.filter(order=OuterRef("pk"), day=yesterday)
    result.checks_missed = _alert_all(live.exclude(Exists(checked)), AlertKind.CHECK_MISSED,
                                      {"day": str(yesterday)})
    overdue = ScheduledTest.objects.filter(order=OuterRef("pk"), due_on__lt=day,
                                           result=TestResult.PENDING)
    result.tests_overdue = _alert_all(
        QuarantineOrder.objects.filter(status__in=OPEN_STATUSES).filter(Exists(overdue)),
        AlertKind.TEST_OVERDUE, {"before": str(day)})
    return result


def _alert_all(orders: QuerySet[QuarantineOrder], kind: str, detail: dict[str, object]) -> int:
    """One open alert of ``kind`` on each order lacking one, in chunks; returns how many."""
    opened_already = QuarantineAlert.objects.filter(order=OuterRef("pk"), kind=kind,
                                                    resolved_at__isnull=True)
    ids = list(orders.exclude(Exists(opened_already)).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = QuarantineOrder.objects.select_related("facility").filter(
            pk__in=ids[start:start + CHUNK])
        QuarantineAlert.objects.bulk_create([alert_row(o, kind, detail) for o in chunk])
    return len(ids)
