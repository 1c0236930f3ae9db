"""Quarantine tables. Facilities are Placed where they stand, so their district and street see
them; rooms, shifts, tests and checks belong to a facility or order and are scoped through it.
An order is Placed at the person's residence (their grid follows them home), and facility staff
reach the orders of their facility through ``facility__``: both go through ``scope``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import DatedVersion, Placed
from fangkong.registry.models import Person
from fangkong.risk.models import RiskArea
from fangkong.tracing.models import Case, Contact


class QuarantinePolicy(DatedVersion):
    """A dated version of the quarantine rules (rules are data). ``params`` follows
    ``quarantine.logic.QuarantineRules``: per reason the centralised and home days, the test
    days of each phase, and the capacity reserve per 10,000 residents."""


class FacilityStatus(models.TextChoices):
    STANDBY = "standby", _("on standby")
    ACTIVE = "active", _("in use")
    CLOSED = "closed", _("closed")


class Facility(Placed):
    """A quarantine hotel or site (集中隔离点)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=FacilityStatus.choices,
                              default=FacilityStatus.STANDBY)
    phone = models.CharField(max_length=20, blank=True, help_text=_("duty desk"))
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class RoomState(models.TextChoices):
    READY = "ready", _("ready")
    OCCUPIED = "occupied", _("occupied")
    DISINFECTING = "disinfecting", _("being disinfected")
    OUT_OF_SERVICE = "out", _("out of service")


class Room(models.Model):
    """A room; ``capacity`` above one is only for a family kept together (a child with a carer,
    a dependent elder with a carer)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField(max_length=16)
    floor = models.SmallIntegerField()
    capacity = models.PositiveSmallIntegerField(default=1)
    accessible = models.BooleanField(default=False)
    state = models.CharField(max_length=12, choices=RoomState.choices, default=RoomState.READY)
    state_since = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "number"], name="one_room_number"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=6),
                                   name="room_capacity_1_to_6"),
        ]
        indexes = [models.Index(fields=["facility", "state"], name="room_facility_state")]
        ordering = ["facility", "floor", "number"]

    def __str__(self) -> str:
        return self.number


class DutyRole(models.TextChoices):
    MANAGER = "manager", _("site manager")
    MEDICAL = "medical", _("medical staff")
    PSYCH = "psych", _("psychological support")
    SECURITY = "security", _("security")
    CLEANING = "cleaning", _("cleaning and disinfection")
    LOGISTICS = "logistics", _("meals and logistics")


class DutyShift(models.Model):
    """Who is on duty at a facility, when (staff work in a closed loop, so shifts are long)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=64)
    role = models.CharField(max_length=10, choices=DutyRole.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["facility", "starts_at"], name="shift_facility_start")]


class BatchStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DEPARTED = "departed", _("on the way")
    ARRIVED = "arrived", _("arrived")


class TransportBatch(Placed):
    """A vehicle run taking people to one facility (Placed at the facility)."""

    code = models.CharField(max_length=32, unique=True)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="batches")
    vehicle = models.CharField(max_length=32, blank=True)
    depart_at = models.DateTimeField()
    arrived_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices,
                              default=BatchStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")


class OrderKind(models.TextChoices):
    CENTRALISED = "centralised", _("centralised quarantine")
    HOME = "home", _("home quarantine")
    MONITORING = "monitoring", _("health monitoring at home")


class OrderReason(models.TextChoices):
    CLOSE = "close", _("close contact")
    SECONDARY = "secondary", _("secondary contact")
    RISK_AREA = "risk_area", _("stayed in a high-risk area")
    INBOUND = "inbound", _("inbound traveller")
    OTHER = "other", _("other")


class OrderStatus(models.TextChoices):
    AWAITING = "awaiting", _("awaiting transfer")
    IN_FACILITY = "in_facility", _("in a quarantine facility")
    AT_HOME = "at_home", _("at home")
    COMPLETED = "completed", _("completed")
    CONVERTED = "converted", _("became a case")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (OrderStatus.AWAITING, OrderStatus.IN_FACILITY, OrderStatus.AT_HOME)


class QuarantineOrder(Placed):
    """One person's quarantine. The dates and the test schedule come from the policy version in
    force when the order is made (``policy``): day 1 is the day after the last exposure.
    ``centralised_until`` is the last centralised day (empty for home orders); ``ends_on`` the
    last day of the whole order, home phase included."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quarantine_orders")
    kind = models.CharField(max_length=12, choices=OrderKind.choices)
    reason = models.CharField(max_length=10, choices=OrderReason.choices)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    risk_area = models.ForeignKey(RiskArea, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    policy = models.ForeignKey(QuarantinePolicy, on_delete=models.PROTECT, related_name="+")
    exposure_at = models.DateTimeField(null=True, blank=True, help_text=_("last exposure"))
    starts_on = models.DateField()
    centralised_until = models.DateField(null=True, blank=True)
    ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.AWAITING)
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="orders")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="orders")
    batch = models.ForeignKey(TransportBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="orders")
    arrived_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True, help_text=_("left the facility"))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    certificate_no = models.CharField(max_length=32, null=True, blank=True, unique=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", help_text=_("the case it turned into"))
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_order_per_person"),
        ]
        indexes = [
            models.Index(fields=["facility", "status"], name="order_facility_status"),
            models.Index(fields=["grid", "status"], name="order_grid_status"),
            models.Index(fields=["status", "ends_on"], name="order_status_end"),
            # the daily-check board pages a district's or street's home orders by number
            models.Index(fields=["district", "status", "id"], name="order_district_status_id"),
            models.Index(fields=["street", "status", "id"], name="order_street_status_id"),
        ]


class Phase(models.TextChoices):
    CENTRALISED = "centralised", _("centralised")
    HOME = "home", _("home")


class TestResult(models.TextChoices):
    PENDING = "pending", _("no result yet")
    NEGATIVE = "negative", _("negative")
    POSITIVE = "positive", _("positive")


class ScheduledTest(models.Model):
    """A test the policy schedules on a day of a phase (e.g. centralised days 1, 2, 3, 5, 7)."""

    order = models.ForeignKey(QuarantineOrder, on_delete=models.CASCADE, related_name="tests")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    day_no = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    sampled_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=8, choices=TestResult.choices,
                              default=TestResult.PENDING)
    resulted_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "phase", "day_no"],
                                    name="one_test_per_order_day"),
        ]
        indexes = [models.Index(fields=["due_on", "result"], name="test_due_result"),
                   models.Index(fields=["order", "due_on"], name="test_order_due")]
        ordering = ["due_on", "id"]


class DailyCheck(models.Model):
    """The daily health check: temperature, symptoms, mood (1 very low … 5 good); a low mood or
    an explicit request flags psychological support."""

    order = models.ForeignKey(QuarantineOrder, on_delete=models.CASCADE, related_name="checks")
    day = models.DateField()
    temperature = models.DecimalField(max_digits=3, decimal_places=1)
    symptoms = models.JSONField(default=list, blank=True)
    mood = models.PositiveSmallIntegerField()
    needs_support = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "day"], name="one_check_per_order_day"),
            models.CheckConstraint(condition=Q(mood__gte=1, mood__lte=5), name="mood_1_to_5"),
        ]


class AlertKind(models.TextChoices):
    CAPACITY = "capacity", _("rooms short")
    FEVER = "fever", _("fever or symptoms")
    SUPPORT = "support", _("psychological support")
    TEST_OVERDUE = "test_overdue", _("test overdue")
    CHECK_MISSED = "check_missed", _("daily check missed")


class QuarantineAlert(Placed):
    """Something a person must act on; Placed at the facility (or the district for capacity)."""

    kind = models.CharField(max_length=14, choices=AlertKind.choices)
    at = models.DateTimeField()
    order = models.ForeignKey(QuarantineOrder, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="alerts")
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="alerts")
    detail = models.JSONField(default=dict, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["kind", "resolved_at"], name="qalert_kind_open")]
