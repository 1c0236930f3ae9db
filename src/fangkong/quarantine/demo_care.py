"""One day of care in the demo's hotel (see ``quarantine.demo``), as timed steps: the morning
job, the rooms disinfected the night before made ready, the evening health checks, the day's
test round and the releases. Today only the job and the cleaning have happened yet: checks
and tests run up to yesterday.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from fangkong.core.errors import Conflict
from fangkong.core.jurisdiction import Actor
from fangkong.quarantine import care, facilities, orders, release
from fangkong.quarantine.models import (
    OrderStatus,
    Phase,
    QuarantineOrder,
    Room,
    RoomState,
    ScheduledTest,
    TestResult,
)
from fangkong.risk.demo import moment

Schedule = Callable[[dt.datetime, Callable[[], object]], None]
LIVE = (OrderStatus.IN_FACILITY, OrderStatus.AT_HOME)


@dataclass(frozen=True)
class Mishaps:
    """What goes wrong on a day of the story."""

    fever: bool = False  # one person in a room has a fever and a cough at the evening check
    low_mood: bool = False  # one asks for psychological support
    not_reached: bool = False  # one person at home is not reached for the check
    positive: bool = False  # one centralised test is positive
    cancel: bool = False  # one order was made twice in error
    clean_share: float = 1.0  # of the rooms to disinfect that are ready by 08:30

    @classmethod
    def of_day(cls, ago: dt.timedelta) -> Mishaps:
        days = ago.days
        return cls(fever=days == 1, low_mood=days == 1, not_reached=days == 1,
                   positive=days == 2, cancel=days == 1, clean_share=0.6 if days == 0 else 1.0)


def care_events(on: Schedule, *, manager: Actor, day: dt.date, now: dt.datetime,
                mishaps: Mishaps) -> None:
    """Schedule the day's care steps (the arrivals are scheduled by the caller)."""
    on(moment(day, 7, now=now), lambda: release.do_complete_due(on=day))
    on(moment(day, 8.5, now=now), lambda: _clean(manager, mishaps.clean_share))
    if mishaps.cancel:
        on(moment(day, 11.5, now=now), lambda: _cancel_one(manager))
    if day >= timezone.localdate(now):
        return
    on(moment(day, 19, now=now), lambda: _checks(manager, day, mishaps))
    sampled = moment(day, 15, now=now)
    on(moment(day, 21, now=now), lambda: _tests(manager, day, sampled, mishaps.positive))
    on(moment(day, 21.5, now=now), lambda: _releases(manager, day))


def _clean(manager: Actor, share: float) -> None:
    """The rooms left to disinfect, oldest first, cleaned and ready (a share of them)."""
    dirty = list(Room.objects.filter(state=RoomState.DISINFECTING)
                 .order_by("state_since", "pk").values_list("pk", flat=True))
    for room_id in dirty[:math.ceil(len(dirty) * share)]:
        facilities.do_set_room_state(actor=manager, room_id=room_id, state=RoomState.READY)


def _cancel_one(manager: Actor) -> None:
    last = QuarantineOrder.objects.filter(status=OrderStatus.AWAITING).order_by("-pk").first()
    if last is not None:
        orders.do_cancel_order(actor=manager, order_id=last.pk,
                               reason="重复登记: 已在外地完成隔离")


def _reading(order: QuarantineOrder) -> tuple[Decimal, int]:
    """An unremarkable check: 36.2–36.8 °C, mood 3–5 (varied by order)."""
    return Decimal("36.2") + Decimal(order.pk % 7) / 10, 3 + order.pk % 3


def _checks(manager: Actor, day: dt.date, mishaps: Mishaps) -> None:
    """The evening check of everyone in a room or at home on ``day``."""
    due = list(QuarantineOrder.objects.filter(status__in=LIVE, starts_on__lte=day,
                                              ends_on__gte=day)
               .exclude(checks__day=day).order_by("pk"))
    in_rooms = [o.pk for o in due if o.status == OrderStatus.IN_FACILITY]
    at_home = [o.pk for o in due if o.status == OrderStatus.AT_HOME]
    feverish = in_rooms[0] if mishaps.fever and in_rooms else None
    low = in_rooms[1] if mishaps.low_mood and len(in_rooms) > 1 else None
    missed = at_home[0] if mishaps.not_reached and at_home else None
    for order in due:
        temperature, mood = _reading(order)
        symptoms: list[str] = []
        note, support = "", False
        if order.pk == missed:
            continue
        if order.pk == feverish:
            temperature, symptoms, note = Decimal("38.1"), ["fever", "cough"], "夜间咳嗽"
        if order.pk == low:
            mood, support, note = 2, True, "想家, 睡不好, 希望和心理老师谈谈"
        care.do_record_check(actor=manager, order_id=order.pk, temperature=temperature,
                             symptoms=symptoms, mood=mood, needs_support=support, note=note,
                             day=day)


def _tests(manager: Actor, day: dt.date, sampled: dt.datetime, positive: bool) -> None:
    """The results of the day's test round (and of any earlier test still open): negative,
    but for one person in a room when ``positive``."""
    tests = list(ScheduledTest.objects.filter(due_on__lte=day, result=TestResult.PENDING,
                                              order__status__in=LIVE)
                 .select_related("order").order_by("order_id", "due_on", "pk"))
    unlucky = next((t.order_id for t in tests if positive and t.phase == Phase.CENTRALISED
                    and t.due_on == day and t.day_no > 1
                    and t.order.status == OrderStatus.IN_FACILITY), None)
    for test in tests:
        if test.order_id == unlucky and test.due_on != day:
            continue  # the day's positive closes the order: earlier ones stay as they are
        result = TestResult.POSITIVE if test.order_id == unlucky else TestResult.NEGATIVE
        care.do_record_test(actor=manager, test_id=test.pk, result=result, sampled_at=sampled)


def _releases(manager: Actor, day: dt.date) -> None:
    """Everyone whose centralised days are over and whose tests are negative goes home with
    a certificate (a refusal just means they stay)."""
    for order_id in (QuarantineOrder.objects.filter(status=OrderStatus.IN_FACILITY,
                                                    centralised_until__lte=day)
                     .order_by("pk").values_list("pk", flat=True)):
        try:
            release.do_release(actor=manager, order_id=order_id)
        except Conflict:
            continue
