"""Early-warning tables. Reports are Placed at the person's residence when the registry knows
them (their grid follows them up), else at the reporting place; anomalies at their street;
follow-ups at the grid that must act."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import DatedVersion, Placed
from fangkong.healthcode.models import Arrival
from fangkong.registry.models import Person, Venue


class WarningPolicy(DatedVersion):
    """Dated rules: the anomaly method and its parameters, the tests an arrival owes by
    origin, whether the pharmacy sentinel runs, follow-up deadlines (``WarningRules``)."""

    class Meta(DatedVersion.Meta):
        verbose_name = _("early-warning policy version")


class Stream(models.TextChoices):
    """A daily count per street watched for a rise: the four drug classes, clinic visits."""

    FEVER = "fever", _("fever reducers sold")
    COUGH = "cough", _("cough medicine sold")
    ANTIBIOTIC = "antibiotic", _("antibiotics sold")
    ANTIVIRAL = "antiviral", _("antivirals sold")
    CLINIC = "clinic", _("fever-clinic visits")


class ClinicVisit(Placed):
    """A fever-clinic visit reported by the clinic (a hospital venue)."""

    clinic = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    name = models.CharField(max_length=64, blank=True, help_text=_("when not in the registry"))
    phone = models.CharField(max_length=20, blank=True)
    visited_at = models.DateTimeField(db_index=True)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    sampled = models.BooleanField(default=False, help_text=_("a test sample taken at the visit"))
    client_key = models.CharField(max_length=64)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "client_key"], name="one_visit_per_key"),
        ]


class AnomalyStatus(models.TextChoices):
    NEW = "new", _("new")
    ACKNOWLEDGED = "acknowledged", _("being looked into")
    DISMISSED = "dismissed", _("dismissed")


class Anomaly(Placed):
    """A day on which a street's count rose above its baseline by the policy's method."""

    stream = models.CharField(max_length=12, choices=Stream.choices)
    day = models.DateField()
    observed = models.IntegerField()
    expected = models.FloatField()
    statistic = models.FloatField()
    threshold = models.FloatField()
    method = models.CharField(max_length=16)
    policy_name = models.CharField(max_length=64)
    status = models.CharField(max_length=14, choices=AnomalyStatus.choices,
                              default=AnomalyStatus.NEW)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["street", "stream", "day"], name="one_anomaly"),
        ]


class RiskOrigin(models.Model):
    """A place outside the city whose arrivals owe the risk-origin tests while it is listed
    (the city's own risk areas are in ``risk``)."""

    name = models.CharField(max_length=100)
    code = models.CharField(max_length=24, unique=True, help_text=_("e.g. an area code"))
    listed_from = models.DateField()
    listed_until = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class ArrivalSource(models.TextChoices):
    STATION = "station", _("railway station")
    AIRPORT = "airport", _("airport")
    HIGHWAY = "highway", _("road checkpoint")
    DECLARATION = "declaration", _("self-declared")


class ArrivalBatch(models.Model):
    """One uploaded list of arrivals (a checkpoint's shift, a carrier's manifest)."""

    source = models.CharField(max_length=12, choices=ArrivalSource.choices)
    checkpoint = models.CharField(max_length=100)
    file_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
    rows = models.IntegerField(default=0)
    matched = models.IntegerField(default=0)
    unmatched = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)


class ArrivalRecord(Placed):
    """One arrival as the checkpoint saw it, matched to the registry where possible."""

    batch = models.ForeignKey(ArrivalBatch, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="records")
    source = models.CharField(max_length=12, choices=ArrivalSource.choices)
    checkpoint = models.CharField(max_length=100)
    arrived_at = models.DateTimeField(db_index=True)
    origin = models.CharField(max_length=100, blank=True)
    risk_origin = models.ForeignKey(RiskOrigin, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    id_number = models.CharField(max_length=18, blank=True)
    name = models.CharField(max_length=64, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    code_arrival = models.ForeignKey(Arrival, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", help_text=_("the fact the code reads"))
    client_key = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "client_key"], name="one_arrival_per_key"),
        ]


class ArrivalTest(Placed):
    """A test an arrival owes on a day of their stay (e.g. 7天5检: days 1, 2, 3, 5, 7)."""

    record = models.ForeignKey(ArrivalRecord, on_delete=models.CASCADE, related_name="tests")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    sequence = models.SmallIntegerField()
    due_date = models.DateField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "sequence"], name="one_arrival_test"),
        ]


class SelfReportKind(models.TextChoices):
    TRAVEL = "travel", _("travel (主动报备)")
    SYMPTOMS = "symptoms", _("symptoms")
    CONTACT = "contact", _("contact with a case")


class SelfReport(Placed):
    """A resident's own report from their signed link; Placed at their residence."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SelfReportKind.choices)
    details = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField()
    client_key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "client_key"], name="one_self_report"),
        ]


class FollowUpKind(models.TextChoices):
    UNTESTED_BUYER = "buyer", _("bought a watched medicine, not tested")
    CLINIC = "clinic", _("fever-clinic visit")
    ARRIVAL = "arrival", _("arrival")
    SELF_REPORT = "self_report", _("resident's own report")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")


class FollowUp(Placed):
    """A person the grid must call or visit, and why; one per (kind, source row)."""

    kind = models.CharField(max_length=12, choices=FollowUpKind.choices)
    source_id = models.BigIntegerField()
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    summary = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=6, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    outcome = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="one_follow_up"),
        ]
        indexes = [models.Index(fields=["grid", "status"], name="follow_up_grid_open")]
