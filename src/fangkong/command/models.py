"""Command-centre tables: the dashboard's read model, directives and their tasks, and the
daily situation reports.

The read model is one narrow table of figures per (unit, day, metric), kept current by the
modules' events; the dashboard sums a few hundred rows instead of scanning the raw tables
(peers.md: SORMAS dashboards take minutes at 10^5 records because they do)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import AdminUnit, Placed


class Figure(models.Model):
    """One metric of one street (or district, for figures with no street) on one day."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    metric = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "metric"], name="one_figure"),
        ]
        indexes = [models.Index(fields=["day", "metric"], name="figure_day_metric")]


class StaleFigure(models.Model):
    """A (unit, day, metric) an event has touched since its figure was last computed; the
    refresher recomputes exactly these and deletes the marks (at-least-once, idempotent)."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    metric = models.CharField(max_length=40)
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "metric"], name="one_stale_figure"),
        ]


class Group(models.TextChoices):
    """The working groups of a command HQ (china-practice.md §7)."""

    TRACING = "tracing", _("tracing")
    TESTING = "testing", _("testing")
    ISOLATION = "isolation", _("isolation and quarantine")
    SUPPLY = "supply", _("supply")
    COMMUNITY = "community", _("community control")
    SUPERVISION = "supervision", _("supervision")


class Directive(Placed):
    """An order of an HQ to a working group or to units below it, with a deadline; it is
    Placed at the issuing HQ's unit and fans out into one task per receiving unit."""

    number = models.CharField(max_length=24, unique=True)
    title = models.CharField(max_length=160)
    body = models.TextField()
    group = models.CharField(max_length=12, choices=Group.choices)
    issuer_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    deadline = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TaskStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class Task(Placed):
    """A directive's work for one unit: acknowledged, progressed, closed with evidence.
    Placed at the receiving unit (its staff work it; the HQ above sees it)."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=14, choices=TaskStatus.choices,
                              default=TaskStatus.ISSUED)
    deadline = models.DateTimeField()
    progress = models.SmallIntegerField(default=0, help_text=_("percent done"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    escalation_level = models.SmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], name="one_task_per_unit"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="task_open_due")]


class TaskEventKind(models.TextChoices):
    ISSUED = "issued", _("issued")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    PROGRESS = "progress", _("progress")
    EVIDENCE = "evidence", _("evidence")
    ESCALATED = "escalated", _("escalated")
    DONE = "done", _("done")
    REOPENED = "reopened", _("reopened")


class TaskEvent(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=14, choices=TaskEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    progress = models.SmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class Evidence(models.Model):
    """A file that shows a task was done (a photo, a list, a signed form); kept in the
    database so a backup holds it, hence the size limit in the action."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.IntegerField()
    data = models.BinaryField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("being generated")
    READY = "ready", _("ready to download")
    FAILED = "failed", _("failed")


class SituationReport(Placed):
    """A daily situation report (日报) of a unit (the city or a district) for one day, as PDF
    and Excel, with the figures it was made from; each generation is kept (history)."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    scheduled = models.BooleanField(default=False, help_text=_("made by the daily job"))
    status = models.CharField(max_length=8, choices=ReportStatus.choices,
                              default=ReportStatus.PENDING)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    generated_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="zh-hans")
    figures = models.JSONField(default=dict, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    xlsx = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day", "-requested_at"]
        indexes = [models.Index(fields=["unit", "day"], name="report_unit_day")]
