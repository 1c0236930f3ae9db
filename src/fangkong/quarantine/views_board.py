"""The daily-check board of today: for one facility (its people in the facility) or for the
home orders of the actor's area: how many were checked, who is missing (first, paginated),
open fever and support alerts, tests due. Every figure is one indexed aggregate over the
set (``order_facility_status`` / ``order_grid_status``, ``one_check_per_order_day``,
``test_due_result``), and only one page of rows is loaded, so it stays fast at 100,000."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.quarantine.models import (
    AlertKind,
    DailyCheck,
    Facility,
    OrderStatus,
    QuarantineAlert,
    QuarantineOrder,
    ScheduledTest,
    TestResult,
)
from fangkong.quarantine.orders import today
from fangkong.tracing.views import page_of
from fangkong.web.access import actor_of, int_param, needs

PAGE_SIZE = 50
FACILITY_CHOICES = 300


def board_orders(actor: Actor, facility: Facility | None) -> QuerySet[QuarantineOrder]:
    """The orders the board counts: in the facility, or at home in the actor's area."""
    if facility is not None:
        return QuarantineOrder.objects.filter(facility=facility,
                                              status=OrderStatus.IN_FACILITY)
    return scope(QuarantineOrder.objects.filter(status=OrderStatus.AT_HOME), actor)


def board_counts(qs: QuerySet[QuarantineOrder], day: Any) -> dict[str, int]:
    ids = qs.values("pk")
    total = qs.count()
    checked = DailyCheck.objects.filter(day=day, order__in=ids).count()
    alerts = QuarantineAlert.objects.filter(order__in=ids, resolved_at__isnull=True)
    return {
        "total": total, "checked": checked, "missing": total - checked,
        "fever": alerts.filter(kind=AlertKind.FEVER).count(),
        "support": alerts.filter(kind=AlertKind.SUPPORT).count(),
        "tests_due": ScheduledTest.objects.filter(due_on=day, result=TestResult.PENDING,
                                                  order__in=ids).count(),
    }


def missing_page(qs: QuerySet[QuarantineOrder], day: Any, after: int | None) -> list[Any]:
    """One page of who has no check today, by order number."""
    checked = DailyCheck.objects.filter(order=OuterRef("pk"), day=day)
    rows = qs.exclude(Exists(checked)).select_related("person", "room", "grid").order_by("pk")
    return list((rows.filter(pk__gt=after) if after else rows)[:PAGE_SIZE + 1])


@needs(Right.QUARANTINE_VIEW)
def board_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    facilities = scope(Facility.objects.all(), actor)
    facility_id = int_param(request, "facility")
    facility = None
    if facility_id:
        facility = facilities.filter(pk=facility_id).first()
        if facility is None:
            raise NotFound("facility")
    day = today()
    qs = board_orders(actor, facility)
    return render(request, "quarantine/board.html", {
        "facility": facility, "facilities": facilities.order_by("code")[:FACILITY_CHOICES],
        "day": day, "counts": board_counts(qs, day),
        "page": page_of(missing_page(qs, day, int_param(request, "after")), PAGE_SIZE)})


urlpatterns: list[URLPattern] = [
    path("quarantine/board/", board_page, name="quarantine_board"),
]
