"""12345 hotline tables. A ticket is Placed at the street (or finer unit) that must handle it,
so the street's staff, the district above and the city see it with one indexed equality; a
ticket that could not be routed is Placed nowhere (only city-wide users see it) until an agent
routes it by hand."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import DatedVersion, Placed
from fangkong.healthcode.models import Appeal
from fangkong.registry.models import Building, Person
from fangkong.risk.models import SupplyRequest


class HotlinePolicy(DatedVersion):
    """Dated hotline rules: per category the urgency, the minutes to a first response and to a
    resolution (the SLA), the escalation ladder and the callback window (``HotlineRules``)."""

    class Meta(DatedVersion.Meta):
        verbose_name = _("hotline policy version")


class Channel(models.TextChoices):
    PHONE = "phone", _("phone call")
    WEB = "web", _("web form")
    RESIDENT = "resident", _("resident's health-code page")
    APPEAL = "appeal", _("health-code appeal")


class Category(models.TextChoices):
    MEDICAL = "medical", _("urgent medical need")
    SUPPLY = "supply", _("supplies and daily needs in a sealed area")
    CODE = "code", _("health code and pop-ups")
    QUARANTINE = "quarantine", _("quarantine rules and conditions")
    TESTING = "testing", _("testing and screening")
    TRAVEL = "travel", _("entry, exit and travel")
    COMPLAINT = "complaint", _("complaint about a measure")
    OTHER = "other", _("other")


class Urgency(models.IntegerChoices):
    URGENT = 0, _("urgent")
    HIGH = 1, _("high")
    NORMAL = 2, _("normal")


class TicketStatus(models.TextChoices):
    NEW = "new", _("new")  # routed, waiting for the street's first response
    IN_PROGRESS = "in_progress", _("in progress")  # the street has responded
    RESOLVED = "resolved", _("resolved")  # answered; waiting for the callback
    CLOSED = "closed", _("closed")  # called back (or unreachable), satisfaction recorded


class Ticket(Placed):
    """One call or message, from intake to callback. Deadlines are fixed at intake from the
    policy in force (``policy_name`` records which), so a later policy never moves them."""

    number = models.CharField(max_length=24, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    category = models.CharField(max_length=12, choices=Category.choices)
    urgency = models.SmallIntegerField(choices=Urgency.choices)
    status = models.CharField(max_length=12, choices=TicketStatus.choices,
                              default=TicketStatus.NEW)
    subject = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    caller_name = models.CharField(max_length=64, blank=True)
    caller_phone = models.CharField(max_length=20, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    address = models.CharField(max_length=200, blank=True)
    routed = models.BooleanField(default=False, help_text=_("placed at a responsible unit"))
    policy_name = models.CharField(max_length=64)
    client_key = models.CharField(max_length=64, blank=True,
                                  help_text=_("makes a resent web or resident ticket store once"))
    created_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    respond_by = models.DateTimeField()
    resolve_by = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    escalation_level = models.SmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    callback_reached = models.BooleanField(null=True, blank=True)
    satisfaction = models.SmallIntegerField(null=True, blank=True,
                                            help_text=_("1 (very dissatisfied) to 5"))
    callback_note = models.TextField(blank=True)
    appeal = models.OneToOneField(Appeal, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="ticket")
    supply_request = models.ForeignKey(SupplyRequest, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "client_key"],
                                    condition=~Q(client_key=""),
                                    name="one_ticket_per_client_key"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1,
                                                           satisfaction__lte=5),
                name="ticket_satisfaction_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["status", "resolve_by"], name="ticket_open_due"),
            models.Index(fields=["street", "created_at"], name="ticket_street_day"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEventKind(models.TextChoices):
    CREATED = "created", _("created")
    ROUTED = "routed", _("routed")
    RESPONDED = "responded", _("first response")
    NOTE = "note", _("note")
    ESCALATED = "escalated", _("escalated")
    RESOLVED = "resolved", _("resolved")
    CALLBACK = "callback", _("callback")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", _("closed")


class TicketEvent(models.Model):
    """The ticket's history as the caller and the supervisor read it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=TicketEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class AnswerTemplate(models.Model):
    """A prepared answer of one hotline policy version. ``body`` may name figures of the rules
    in force (e.g. ``{quarantine_days}``) that are filled in when an agent uses it, so the
    answer always states the rule of the day it is given."""

    policy = models.ForeignKey(HotlinePolicy, on_delete=models.CASCADE, related_name="templates")
    category = models.CharField(max_length=12, choices=Category.choices)
    key = models.SlugField(max_length=48)
    title = models.CharField(max_length=120)
    title_en = models.CharField(max_length=160, blank=True)
    body = models.TextField()
    body_en = models.TextField(blank=True)

    class Meta:
        ordering = ["category", "key"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "key"], name="one_template_key_per_policy"),
        ]

    def __str__(self) -> str:
        return self.title
