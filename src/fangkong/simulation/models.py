"""Strategy simulation tables. A scenario is Placed at its creator's unit, so a district's
scenarios are its officers' and the city's, like everything else; its result (the bands over
many runs, see ``compare``) is stored with it, so comparing is reading, not re-running."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import AdminUnit, Placed


class SimModel(models.TextChoices):
    BRANCHING = "branching", _("branching process (Hellewell 2020)")
    AGENTS = "agents", _("agent model on the city")


class ScenarioStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Scenario(Placed):
    """One "what if": a model, its parameters, how many runs from which seed. ``params``
    holds every field of the model's params dataclass (defaults included) and, for the agent
    model, the name of the quarantine policy version the days came from."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    model = models.CharField(max_length=12, choices=SimModel.choices)
    preset = models.CharField(max_length=32, blank=True)
    params = models.JSONField(default=dict)
    runs = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    residents = models.PositiveIntegerField(
        null=True, blank=True,
        help_text=_("size of a synthetic population; empty: the residents of the unit"))
    status = models.CharField(max_length=8, choices=ScenarioStatus.choices,
                              default=ScenarioStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="scenario_progress_0_to_100"),
        ]

    def __str__(self) -> str:
        return self.name
