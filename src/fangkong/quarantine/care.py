"""Care of people in quarantine: the daily health check and the scheduled tests' results.

A check at or above the version's fever threshold, or with symptoms, opens a ``fever`` alert;
a low mood or an explicit request opens a ``support`` alert (psychological support); there is
one open alert per order and kind. A positive test turns the person into a tracing case
(found in quarantine), converts the order and sends its room to be disinfected.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.quarantine.logic import check_alerts
from fangkong.quarantine.models import (
    OPEN_STATUSES,
    DailyCheck,
    OrderStatus,
    QuarantineAlert,
    QuarantineOrder,
    ScheduledTest,
    TestResult,
)
from fangkong.quarantine.orders import free_room, get_order, orders_for, today
from fangkong.quarantine.policy import rules_of
from fangkong.tracing.actions_cases import do_register_case
from fangkong.tracing.models import Case, Classification, FoundIn

SYSTEM_NAME = "system:quarantine-test"
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))
NOTE_MAX = 300
SYMPTOMS = {
    "fever": gettext_lazy("fever"), "cough": gettext_lazy("cough"),
    "sore_throat": gettext_lazy("sore throat"), "fatigue": gettext_lazy("fatigue"),
    "aches": gettext_lazy("muscle aches"), "smell_taste": gettext_lazy("loss of smell or taste"),
    "breathless": gettext_lazy("shortness of breath"), "diarrhoea": gettext_lazy("diarrhoea"),
}


def alert_row(order: QuarantineOrder, kind: str, detail: dict[str, object]) -> QuarantineAlert:
    """An unsaved alert on ``order``, placed at the facility while the person is there (its
    staff act on it), else at the residence."""
    alert = QuarantineAlert(kind=kind, at=clock.now(), order=order, detail=detail)
    facility = order.facility
    if facility is not None and order.status in (OrderStatus.AWAITING, OrderStatus.IN_FACILITY):
        alert.facility_id = facility.pk
        alert.district_id, alert.street_id = facility.district_id, facility.street_id
        alert.community_id, alert.grid_id = facility.community_id, facility.grid_id
    else:
        alert.district_id, alert.street_id = order.district_id, order.street_id
        alert.community_id, alert.grid_id = order.community_id, order.grid_id
    return alert


def open_alert(order: QuarantineOrder, kind: str, detail: dict[str, object]) -> bool:
    """Open an alert of ``kind`` on ``order`` unless one is open; True when one was opened."""
    if QuarantineAlert.objects.filter(order=order, kind=kind, resolved_at__isnull=True).exists():
        return False
    alert_row(order, kind, detail).save(force_insert=True)
    return True


def _temperature(value: object) -> Decimal:
    try:
        found = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("the temperature is a number such as 36.6"),
                          field="temperature") from exc
    low, high = TEMPERATURE_RANGE
    if not low <= found <= high:
        raise DomainError(_("the temperature must be between %(low)s and %(high)s °C")
                          % {"low": low, "high": high}, field="temperature")
    return found


def check_record_check(*, order: QuarantineOrder, temperature: object, symptoms: list[str],
                       mood: int, note: str, day: dt.date) -> Decimal:
    found = _temperature(temperature)
    if not isinstance(mood, int) or not 1 <= mood <= 5:
        raise DomainError(_("the mood is 1 (very low) to 5 (good)"), field="mood")
    unknown = sorted(set(symptoms) - set(SYMPTOMS))
    if unknown:
        raise DomainError(_("unknown symptoms: %(names)s") % {"names": ", ".join(unknown)},
                          field="symptoms")
    if len(note) > NOTE_MAX:
        raise DomainError(_("the note has at most %(n)d characters") % {"n": NOTE_MAX},
                          field="note")
    if order.status not in OPEN_STATUSES:
        raise Conflict(_("the order is closed"), field="order_id")
    if not order.starts_on <= day <= min(today(), order.ends_on):
        raise DomainError(_("the day must fall within the order and not in the future"),
                          field="day")
    if DailyCheck.objects.filter(order=order, day=day).exists():
        raise Conflict(_("the check of this day is already recorded"), field="day")
    return found


def do_record_check(*, actor: Actor, order_id: int, temperature: object, symptoms: list[str],
                    mood: int, needs_support: bool = False, note: str = "",
                    day: dt.date | None = None) -> DailyCheck:
    """Record one day's check of an order the actor cares for, and open its alerts."""
    actor.require(Right.QUARANTINE_CARE)
    day = day or today()
    with transaction.atomic():
        order = get_order(actor=actor, order_id=order_id, lock=True)
        value = check_record_check(order=order, temperature=temperature, symptoms=symptoms,
                                   mood=mood, note=note, day=day)
        check = DailyCheck.objects.create(
            order=order, day=day, temperature=value, symptoms=sorted(set(symptoms)), mood=mood,
            needs_support=needs_support, note=note.strip(), checked_by_id=actor.user_id,
            at=clock.now())
        kinds = check_alerts(rules=rules_of(order.policy), temperature=float(value),
                             symptoms=symptoms, mood=mood, needs_support=needs_support)
        opened = [k for k in kinds if open_alert(order, k, {"day": str(day), "check": check.pk,
                                                            "temperature": str(value)})]
        record(actor=actor, verb="quarantine.check.record", target=order,
               after={**snapshot(check), "alerts": opened})
    return check


def system_actor() -> Actor:
    """Who opens a case from a positive quarantine test: no user, the city node, one right."""
    city = AdminUnit.objects.filter(level=Level.CITY).first()
    return Actor(user_id=None, username=SYSTEM_NAME, unit=city,
                 rights=frozenset({Right.TRACING_INVESTIGATE}))


def _locked_test(actor: Actor, test_id: int) -> ScheduledTest:
    test = ScheduledTest.objects.select_for_update().filter(
        pk=test_id, order__in=orders_for(actor).values("pk")).first()
    if test is None:
        raise NotFound("scheduled test")
    return test


def do_record_test(*, actor: Actor, test_id: int, result: str,
                   sampled_at: dt.datetime | None = None) -> ScheduledTest:
    """Store a scheduled test's result; sending the same result again changes nothing. A
    positive opens a tracing case (found in quarantine) and converts the order."""
    actor.require(Right.QUARANTINE_CARE)
    if result not in (TestResult.NEGATIVE, TestResult.POSITIVE):
        raise DomainError(_("the result is negative or positive"), field="result")
    now = clock.now()
    if sampled_at is not None and (sampled_at.tzinfo is None or sampled_at > now):
        raise DomainError(_("the sampling time needs an offset and may not be in the future"),
                          field="sampled_at")
    with transaction.atomic():
        test = _locked_test(actor, test_id)
        if test.result == result:
            return test
        if test.result != TestResult.PENDING:
            raise Conflict(_("this test already has another result"), field="result")
        order = get_order(actor=actor, order_id=test.order_id, lock=True)
        if order.status not in OPEN_STATUSES:
            raise Conflict(_("the order is closed"), field="test_id")
        if test.due_on > today():
            raise DomainError(_("this test is not due yet"), field="test_id")
        before = snapshot(test)
        test.result, test.resulted_at, test.recorded_by_id = result, now, actor.user_id
        test.sampled_at = sampled_at or test.sampled_at or now
        test.save()
        record(actor=actor, verb="quarantine.test.result", target=order, before=before,
               after=snapshot(test))
        if result == TestResult.POSITIVE:
            _convert(actor, order, test)
    return test


def _convert(actor: Actor, order: QuarantineOrder, test: ScheduledTest) -> None:
    """The person becomes a case (unless one already): the order is converted and linked,
    and its room goes to be disinfected."""
    now = clock.now()
    case = Case.objects.filter(person_id=order.person_id).first()
    if case is None:
        assert test.sampled_at is not None
        case = do_register_case(
            actor=system_actor(), person_id=order.person_id,
            classification=Classification.ASYMPTOMATIC,
            sample_date=timezone.localdate(test.sampled_at), result_at=now,
            found_in=FoundIn.QUARANTINE, isolated_at=now)
    before = snapshot(order)
    order.status, order.case, order.completed_at = OrderStatus.CONVERTED, case, now
    order.save(update_fields=["status", "case", "completed_at"])
    free_room(order, disinfect=True)
    record(actor=actor, verb="quarantine.order.convert", target=order, before=before,
           after={**snapshot(order), "test": test.pk})
