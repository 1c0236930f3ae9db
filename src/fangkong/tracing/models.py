"""Tracing tables: cases, their trajectories, risk points, contacts and the policy in force.

Cases and contacts are Placed at the person's residence grid, so a grid worker's list of
contacts to bring under control is one indexed equality (the design's "contacts land in the
lists of their residence grid"); trajectory rows are placed like their case; risk points at
their venue's grid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import Placed
from fangkong.registry.models import Person, Venue


class Classification(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    ASYMPTOMATIC = "asymptomatic", _("asymptomatic")


class FoundIn(models.TextChoices):
    QUARANTINE = "quarantine", _("in quarantine or under control")
    COMMUNITY = "community", _("in the community")


class CaseOrigin(models.TextChoices):
    RESULT = "result", _("from a positive result")
    MANUAL = "manual", _("registered by hand")
    IMPORT = "import", _("imported from a file")


class Case(Placed):
    """An index case. ``result_at`` → ``confirmed_at`` → contacts identified → controlled are
    the steps of the 24-hour funnel; the hospital fields record 应转尽转 (transfer)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    external_id = models.BigIntegerField(null=True, blank=True, unique=True,
                                         help_text=_("case_id in exchanged files"))
    classification = models.CharField(max_length=16, choices=Classification.choices)
    converted_at = models.DateTimeField(null=True, blank=True,
                                        help_text=_("asymptomatic → confirmed"))
    onset_date = models.DateField(null=True, blank=True)
    sample_date = models.DateField()
    result_at = models.DateTimeField(help_text=_("positive result reported"))
    confirmed_at = models.DateTimeField(help_text=_("case registered and classified"))
    isolated_at = models.DateTimeField(null=True, blank=True)
    found_in = models.CharField(max_length=16, choices=FoundIn.choices,
                                default=FoundIn.COMMUNITY)
    origin = models.CharField(max_length=8, choices=CaseOrigin.choices,
                              default=CaseOrigin.MANUAL)
    hospital = models.CharField(max_length=128, blank=True)
    transfer_requested_at = models.DateTimeField(null=True, blank=True)
    hospital_admitted_at = models.DateTimeField(null=True, blank=True)
    source_case = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="infected_cases",
                                    help_text=_("who infected this case, per investigation"))
    source_note = models.CharField(max_length=200, blank=True)
    contacts_run_at = models.DateTimeField(null=True, blank=True,
                                           help_text=_("last contact detection"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], name="one_case_per_person"),
        ]
        indexes = [models.Index(fields=["district", "id"], name="case_district_page")]

    def __str__(self) -> str:
        return f"#{self.pk}"


class EntrySource(models.TextChoices):
    INTERVIEW = "interview", _("interview")
    CHECKIN = "checkin", _("venue check-in")
    PING = "ping", _("phone location")


class TrajectoryEntry(Placed):
    """One place and time in a case's trajectory, as told in the interview (check-ins and
    pings are read from the movement data and merged on the timeline, not copied here)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="trajectory")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    transport = models.CharField(max_length=120, blank=True)
    companions = models.CharField(max_length=300, blank=True,
                                  help_text=_("people the case says were with them"))
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]


class RiskPointStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEWED = "reviewed", _("reviewed")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class RiskPoint(Placed):
    """A venue and time window a case spent there: drafted from the trajectory, reviewed by a
    second person, then published on the public page and JSON."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="risk_points")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    place = models.CharField(max_length=200, help_text=_("public wording of the place"))
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=RiskPointStatus.choices,
                              default=RiskPointStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "start"], name="riskpoint_status_start")]


class ContactType(models.TextChoices):
    CLOSE = "close", _("close contact")
    SECONDARY = "secondary", _("secondary contact")
    COMPANION = "companion", _("spatio-temporal companion")


class ContactRule(models.TextChoices):
    HOUSEHOLD = "household", _("household")
    VENUE = "venue", _("same venue")
    CELL = "cell", _("same cell (phone)")
    REPORTED = "reported", _("reported (confirmed by a tracer)")


class ContactStatus(models.TextChoices):
    IDENTIFIED = "identified", _("identified")
    NOTIFIED = "notified", _("notified")
    LOCATED = "located", _("located")
    TRANSFERRED = "transferred", _("under control")


class Disposition(models.TextChoices):
    CENTRALISED = "centralised", _("centralised quarantine")
    HOME = "home", _("home quarantine or monitoring")


class Contact(Placed):
    """A contact of an index case, as the engine found it (one row per person, case and
    type), and its way to control: identified → notified → located → transferred."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts_as")
    index_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    contact_type = models.CharField(max_length=12, choices=ContactType.choices)
    rule = models.CharField(max_length=12, choices=ContactRule.choices)
    via_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    cell = models.CharField(max_length=16, blank=True)
    first_exposure = models.DateTimeField()
    last_exposure = models.DateTimeField()
    overlap_minutes = models.IntegerField(null=True, blank=True)
    identified_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=ContactStatus.choices,
                              default=ContactStatus.IDENTIFIED)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)
    located_at = models.DateTimeField(null=True, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=12, choices=Disposition.choices, blank=True)
    destination = models.CharField(max_length=200, blank=True,
                                   help_text=_("quarantine place or home address"))
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "index_case", "contact_type"],
                                    name="one_contact_per_person_case_type"),
        ]
        indexes = [
            models.Index(fields=["grid", "status"], name="contact_grid_status"),
            models.Index(fields=["district", "id"], name="contact_district_page"),
            models.Index(fields=["status", "identified_at"], name="contact_status_age"),
        ]


class ReportSource(models.TextChoices):
    SELF_REPORT = "self_report", _("the resident's own report")
    HOTLINE = "hotline", _("hotline call")
    STAFF = "staff", _("staff")


class ReportStatus(models.TextChoices):
    NEW = "new", _("new")
    CONFIRMED = "confirmed", _("confirmed as a contact")
    DISMISSED = "dismissed", _("dismissed")


class ContactReport(Placed):
    """A possible contact told by hand (the resident, a hotline call, staff), not found by the
    engine. A tracer confirms it against an index case, which makes a close ``Contact``
    (rule ``reported``), or dismisses it. Placed at the person's residence; ``source_ref``
    names the row it came from, so a resent report is stored once."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contact_reports")
    source = models.CharField(max_length=12, choices=ReportSource.choices)
    source_ref = models.CharField(max_length=64, unique=True)
    reported_at = models.DateTimeField()
    exposure_on = models.DateField(help_text=_("the day of the contact, as told"))
    place = models.CharField(max_length=200, blank=True)
    about_case = models.CharField(max_length=200, blank=True,
                                  help_text=_("who the case is, as the person told it"))
    status = models.CharField(max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.NEW)
    index_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="contact_reports")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="reports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["district", "status", "id"],
                                name="contactreport_district_status")]


class TracingPolicy(models.Model):
    """A dated version of the tracing rules (rules are data): the contact engine's settings
    (``ContactPolicy`` fields) and the workflow's escalation delay. The version in force is the
    latest whose ``effective_from`` is not in the future."""

    name = models.CharField(max_length=64, unique=True)
    effective_from = models.DateField()
    contact = models.JSONField(default=dict, blank=True,
                               help_text=_("overrides of the engine's defaults"))
    escalate_unlocated_hours = models.PositiveSmallIntegerField(default=6)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return self.name
