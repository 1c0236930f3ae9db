"""Screening tables: a campaign (one round) over chosen nodes of the tree, its sites and
slots, the tubes issued to it, the samples scanned into tubes, boxes carried to labs, lab
results, holds on members of positive pools, and exemptions.

Every row is Placed, so scoping is one indexed equality: a campaign's areas at their node,
sites and their slots at the site's grid, tubes and boxes at their site's grid, samples,
bookings, holds and exemptions at the person's residence grid (so a grid worker's untested
list is one equality). A campaign is seen through its areas (``scope(..., via="areas")``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import AdminUnit, DatedVersion, Placed
from fangkong.registry.models import Person

POOL_SIZES = (1, 5, 10, 20)  # validated by the NHC (china-practice §6.2); 30/50 are not


class ScreeningPolicy(DatedVersion):
    """A dated version of the screening guidance (rules are data). ``params`` overrides the
    planner's and the alerts' defaults (``testing.logic.PlanPolicy`` fields, e.g.
    ``people_per_site``, ``sampling_hours``, ``receipt_hours``); the version in force on a
    date is the latest whose ``effective_from`` is not after it."""


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    RUNNING = "running", _("running")
    CLOSED = "closed", _("closed")


class Campaign(models.Model):
    """One screening round (区域核酸) over the nodes in ``areas``. Not Placed itself: a
    campaign may span districts; users see it through the areas inside their subtree."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    target_hours = models.PositiveSmallIntegerField(
        default=24, help_text=_("hours from the start to every result back"))
    default_pool_size = models.PositiveSmallIntegerField(default=10)
    status = models.CharField(max_length=8, choices=CampaignStatus.choices,
                              default=CampaignStatus.PLANNED)
    policy = models.ForeignKey(ScreeningPolicy, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class CampaignArea(Placed):
    """A node of the tree a campaign covers, with its pooling mode (1 = single tube)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="areas")
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    pool_size = models.PositiveSmallIntegerField(default=10)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"],
                                               name="one_area_per_unit")]


class Lab(Placed):
    """A testing laboratory and its throughput in tubes per hour."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    tubes_per_hour = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    FIXED = "fixed", _("fixed site")
    MOBILE = "mobile", _("mobile team")
    DOOR = "door", _("door-to-door team")


class Site(Placed):
    """A sampling site of a campaign: tables, opening hours, the lab its boxes go to."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sites")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=128)
    kind = models.CharField(max_length=8, choices=SiteKind.choices, default=SiteKind.FIXED)
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    tables = models.PositiveSmallIntegerField(default=1)
    green_channel = models.BooleanField(
        default=True, help_text=_("a lane for the elderly, children and the disabled"))
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="sites")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "code"],
                                               name="site_code_per_campaign")]

    def __str__(self) -> str:
        return self.name


class Slot(Placed):
    """A bookable time slot at a site; ``capacity`` people may book it."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]


class Booking(Placed):
    """A resident's appointment: one per person and campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="bookings")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    green_channel = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "person"],
                                               name="one_booking_per_round")]


class TubeStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    OPEN = "open", _("in use at a table")
    SEALED = "sealed", _("sealed")
    BOXED = "boxed", _("in a box")
    RECEIVED = "received", _("received by the lab")
    RESULTED = "resulted", _("result reported")


class TubeResult(models.TextChoices):
    PENDING = "", _("pending")
    NEGATIVE = "negative", _("negative")
    POSITIVE = "positive", _("positive")
    INVALID = "invalid", _("invalid, resample")


class SampleKind(models.TextChoices):
    SCREENING = "screening", _("screening")
    RETEST = "retest", _("single-tube retest")


class Box(Placed):
    """A transport box of sealed tubes: the chain of custody site → courier → lab."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="boxes")
    code = models.CharField(max_length=32, unique=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="boxes")
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="boxes")
    sealed_at = models.DateTimeField(null=True, blank=True)
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    courier = models.CharField(max_length=64, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")


class Tube(Placed):
    """A sampling tube with a printed barcode, issued to a campaign before sampling (an
    unknown barcode at a table is refused). ``capacity`` is its pool size (1 = single)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tubes")
    code = models.CharField(max_length=32, unique=True)
    capacity = models.PositiveSmallIntegerField(default=10)
    kind = models.CharField(max_length=10, choices=SampleKind.choices,
                            default=SampleKind.SCREENING)
    status = models.CharField(max_length=10, choices=TubeStatus.choices,
                              default=TubeStatus.ISSUED)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="tubes")
    sampler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    members = models.PositiveSmallIntegerField(default=0)
    box = models.ForeignKey(Box, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="tubes")
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=8, choices=TubeResult.choices, blank=True,
                              default=TubeResult.PENDING)
    ct_value = models.FloatField(null=True, blank=True)
    tested_at = models.DateTimeField(null=True, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True,
                                       help_text=_("result stored by the platform"))

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "status"], name="tube_campaign_status"),
            models.Index(fields=["campaign", "result"], name="tube_campaign_result"),
        ]

    def __str__(self) -> str:
        return self.code


class ScanBatch(models.Model):
    """One upload from a sampler's device. ``client_key`` (made on the device) makes a
    re-sent batch a no-op: the stored answer is returned instead of storing it again."""

    client_key = models.CharField(max_length=64, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    sampler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                on_delete=models.SET_NULL, related_name="+")
    device = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField()
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    answer = models.JSONField(default=dict, help_text=_("per-item answers, returned on resend"))


class Channel(models.TextChoices):
    SITE = "site", _("at a site")
    GREEN = "green", _("green channel")
    DOOR = "door", _("door to door")


class Sample(Placed):
    """One person swabbed into one tube. A person has at most one screening sample per
    campaign (the second scan is refused at the table); retests are separate rows."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="samples")
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="samples")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="samples")
    kind = models.CharField(max_length=10, choices=SampleKind.choices,
                            default=SampleKind.SCREENING)
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.SITE)
    sampled_at = models.DateTimeField()
    batch = models.ForeignKey(ScanBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="samples")
    notified_at = models.DateTimeField(null=True, blank=True,
                                       help_text=_("resident told the result"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"],
                                    condition=models.Q(kind="screening"),
                                    name="one_screening_sample_per_round"),
        ]
        indexes = [
            models.Index(fields=["campaign", "grid"], name="sample_campaign_grid"),
            models.Index(fields=["campaign", "sampled_at"], name="sample_campaign_time"),
        ]


class ResultImport(models.Model):
    """One batch of lab results (a CSV file or an API call); ``client_key`` makes it
    idempotent like a scan batch."""

    client_key = models.CharField(max_length=64, unique=True)
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    answer = models.JSONField(default=dict)


class HoldStatus(models.TextChoices):
    HELD = "held", _("held in place, awaiting single-tube retest")
    RELEASED = "released", _("released: retest negative")
    CASE = "case", _("retest positive: case opened")


class Hold(Placed):
    """A member of a positive pool, held in place until a single-tube retest (the health
    code's pop-up reads open holds once that module exists)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="holds")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="screening_holds")
    pool_tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="holds")
    status = models.CharField(max_length=8, choices=HoldStatus.choices,
                              default=HoldStatus.HELD)
    held_at = models.DateTimeField()
    retest = models.ForeignKey(Sample, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "person", "pool_tube"],
                                               name="one_hold_per_pool_member")]
        indexes = [models.Index(fields=["campaign", "status"], name="hold_campaign_status")]


class ExemptionReason(models.TextChoices):
    AWAY = "away", _("away from the city")
    HOSPITAL = "hospital", _("in hospital")
    QUARANTINE = "quarantine", _("tested in quarantine")
    RECENT_CASE = "case", _("a case under treatment")
    OTHER = "other", _("other")


class Exemption(Placed):
    """A registered resident not to be sampled in this round, with the reason: counted as
    accounted for (应检尽检, 不漏一人: every resident is tested or has a reason)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exemptions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=ExemptionReason.choices)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "person"],
                                               name="one_exemption_per_round")]


class AlertKind(models.TextChoices):
    NOT_RECEIVED = "not_received", _("sealed tube not received by a lab in time")
    RESULT_LATE = "result_late", _("result late")
    POSITIVE_POOL = "positive_pool", _("positive pool: members on hold")


class Alert(Placed):
    """Something a screening organiser must act on, raised by the alert job (placed at the
    tube's site grid); ``resolved_at`` is set when the condition no longer holds."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    tube = models.ForeignKey(Tube, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="alerts")
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "tube"],
                                               name="one_alert_per_tube_kind")]
