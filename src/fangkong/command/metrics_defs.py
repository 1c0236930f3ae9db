"""The metrics of the dashboard, in display order: what each counts, read from each module's
own tables (see docs/command.md for the definitions and their limits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.coldchain.models import PositiveSample
from fangkong.command import metrics_supplies as ms
from fangkong.command.metrics import Metric, Window, on_day, open_at
from fangkong.command.models import Task
from fangkong.hotline.models import Ticket
from fangkong.quarantine.models import FacilityStatus, QuarantineOrder, Room, RoomState
from fangkong.registry.models import Person
from fangkong.risk.models import RequestStatus, RiskArea, RiskLevel, SupplyRequest
from fangkong.supplies.models import SupplyAlert
from fangkong.testing.coverage import area_q
from fangkong.testing.models import Campaign, CampaignStatus, Sample, SampleKind
from fangkong.tracing.models import Case, Contact, FoundIn
from fangkong.vaccination.models import Dose
from fangkong.warning.models import Anomaly

CONTROL_HOURS = 24  # the 24-hour funnel (china-practice.md): contacts under control within it


def _cases(found_in: str) -> Any:
    return lambda w: Case.objects.filter(on_day("confirmed_at", w), found_in=found_in)


def _contacts(w: Window) -> QuerySet[Contact]:
    return Contact.objects.filter(on_day("identified_at", w))


def _controlled(w: Window) -> QuerySet[Contact]:
    """Found that day and, by now, under control (transferred, or a quarantine order made)
    within 24 hours of being found."""
    limit = F("identified_at") + dt.timedelta(hours=CONTROL_HOURS)
    ordered = QuarantineOrder.objects.filter(contact=OuterRef("pk"),
                                             created_at__lte=OuterRef("identified_at")
                                             + dt.timedelta(hours=CONTROL_HOURS))
    return _contacts(w).filter(Q(transferred_at__lte=limit) | Exists(ordered))


def current_campaigns(w: Window) -> list[Campaign]:
    """Rounds under way at ``at``: launched, and ``at`` inside their window."""
    return list(Campaign.objects.exclude(status=CampaignStatus.PLANNED)
                .filter(starts_at__lte=w.at, ends_at__gt=w.at).prefetch_related("areas__unit"))


def _sampled(w: Window) -> QuerySet[Sample]:
    return Sample.objects.filter(campaign__in=current_campaigns(w), kind=SampleKind.SCREENING,
                                 person__temporary=False, sampled_at__lte=w.at)


def _expected(w: Window) -> QuerySet[Person]:
    """Residents registered (as the registry stands now) in an area of a current round."""
    areas = [area_q(campaign) for campaign in current_campaigns(w)]
    people = Person.objects.filter(inactive_since__isnull=True, temporary=False, purged=False)
    if not areas:
        return people.none()
    if any(not q for q in areas):  # a round over the whole city: an empty Q, everyone
        return people
    where = Q()
    for q in areas:
        where |= q
    return people.filter(where)


def _rooms(*, free: bool) -> Any:
    def rows(w: Window) -> QuerySet[Room]:
        qs = Room.objects.exclude(facility__status=FacilityStatus.CLOSED)
        qs = qs.exclude(state=RoomState.OUT_OF_SERVICE)
        return qs.filter(state=RoomState.READY) if free else qs
    return rows


def _areas(level: str) -> Any:
    return lambda w: RiskArea.objects.filter(
        open_at(w, created="started_at", closed="lifted_at"), level=level)


def _requests(*, overdue: bool) -> Any:
    def rows(w: Window) -> QuerySet[SupplyRequest]:
        qs = SupplyRequest.objects.exclude(status=RequestStatus.CANCELLED).filter(
            open_at(w, created="created_at", closed="done_at"))
        return qs.filter(deadline__lt=w.at) if overdue else qs
    return rows


def _tickets(*, overdue: bool) -> Any:
    def rows(w: Window) -> QuerySet[Ticket]:
        qs = Ticket.objects.filter(open_at(w, created="created_at", closed="resolved_at"))
        return qs.filter(resolve_by__lt=w.at) if overdue else qs
    return rows


def _tasks(*, overdue: bool) -> Any:
    def rows(w: Window) -> QuerySet[Task]:
        qs = Task.objects.filter(open_at(w, created="directive__issued_at", closed="done_at"))
        return qs.filter(deadline__lt=w.at) if overdue else qs
    return rows


def _anomalies(w: Window) -> QuerySet[Anomaly]:
    """Anomalies found by ``at`` and not yet acknowledged or dismissed then."""
    return Anomaly.objects.filter(open_at(w, created="found_at", closed="decided_at"))


def _distinct_people() -> Any:
    return Count("person_id", distinct=True)


PEOPLE, ROOMS, AREAS, REQUESTS, TICKETS, TASKS, ANOMALIES, ALERTS, SAMPLES = (
    _("people"), _("rooms"), _("areas"), _("requests"), _("tickets"), _("tasks"),
    _("anomalies"), _("alerts"), _("samples"))

ALL: tuple[Metric, ...] = (
    Metric("cases_in_quarantine", _("new cases found in quarantine"), "tracing", PEOPLE, Case,
           _cases(FoundIn.QUARANTINE), day_field="confirmed_at", sweep=("created_at",)),
    Metric("cases_in_community", _("new cases found in the community"), "tracing", PEOPLE, Case,
           _cases(FoundIn.COMMUNITY), day_field="confirmed_at", sweep=("created_at",)),
    Metric("contacts_found", _("contacts found"), "tracing", PEOPLE, Contact, _contacts,
           day_field="identified_at", sweep=("identified_at",)),
    Metric("contacts_controlled_24h", _("of those, under control within 24 h"), "tracing",
           PEOPLE, Contact, _controlled, day_field="identified_at", sweep=("identified_at",)),
    Metric("anomalies_new", _("early-warning anomalies awaiting a decision"), "warning",
           ANOMALIES, Anomaly, _anomalies),
    Metric("screening_sampled", _("sampled in the current round"), "screening", PEOPLE, Sample,
           _sampled, value=_distinct_people, sweep=("sampled_at",),
           sweep_where=lambda w: Q(campaign__in=current_campaigns(w))),
    Metric("screening_expected", _("to be sampled in the current round"), "screening", PEOPLE,
           Person, _expected),
    Metric("rooms_free", _("quarantine rooms free"), "quarantine", ROOMS, Room,
           _rooms(free=True), via="facility__", historical=False, sweep=("state_since",)),
    Metric("rooms_total", _("quarantine rooms in service"), "quarantine", ROOMS, Room,
           _rooms(free=False), via="facility__", historical=False, sweep=("state_since",)),
    Metric("areas_sealed", _("sealed areas"), "risk", AREAS, RiskArea, _areas(RiskLevel.SEALED),
           historical=False),
    Metric("areas_controlled", _("controlled areas"), "risk", AREAS, RiskArea,
           _areas(RiskLevel.CONTROLLED), historical=False),
    Metric("areas_precaution", _("precaution areas"), "risk", AREAS, RiskArea,
           _areas(RiskLevel.PRECAUTION), historical=False),
    Metric("requests_open", _("sealed-area requests open"), "risk", REQUESTS, SupplyRequest,
           _requests(overdue=False)),
    Metric("requests_overdue", _("sealed-area requests overdue"), "risk", REQUESTS,
           SupplyRequest, _requests(overdue=True), sweep=("deadline",)),
    Metric("supply_alerts_open", _("supply alerts open"), "supplies", ALERTS, SupplyAlert,
           ms.supply_alerts_open, sweep=("found_at",)),
    Metric("supply_alerts_new", _("supply alerts awaiting acknowledgement"), "supplies", ALERTS,
           SupplyAlert, ms.supply_alerts_new, sweep=("found_at",)),
    Metric("coldchain_positive", _("positive cold-chain samples"), "coldchain", SAMPLES,
           PositiveSample, ms.coldchain_positive, day_field="sampled_at"),
    Metric("elderly_vaccinated", _("elderly residents fully vaccinated"), "vaccination", PEOPLE,
           Dose, ms.elderly_vaccinated, value=ms.distinct_people, via="person__",
           sweep=("recorded_at",)),
    Metric("elderly_residents", _("elderly residents (60 and over)"), "vaccination", PEOPLE,
           Person, ms.elderly_residents),
    Metric("tickets_opened", _("hotline tickets opened"), "hotline", TICKETS, Ticket,
           lambda w: Ticket.objects.filter(on_day("created_at", w)), day_field="created_at",
           sweep=("created_at",)),
    Metric("tickets_open", _("hotline tickets open"), "hotline", TICKETS, Ticket,
           _tickets(overdue=False), sweep=("created_at",)),
    Metric("tickets_overdue", _("hotline tickets overdue"), "hotline", TICKETS, Ticket,
           _tickets(overdue=True), sweep=("resolve_by",)),
    Metric("tasks_open", _("directive tasks open"), "command", TASKS, Task,
           _tasks(overdue=False)),
    Metric("tasks_overdue", _("directive tasks overdue"), "command", TASKS, Task,
           _tasks(overdue=True), sweep=("deadline",)),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in ALL}
