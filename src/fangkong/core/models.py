"""Tables of the jurisdiction tree, users' bindings, audit, approvals and login failures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    CITY = 0, _("city")
    DISTRICT = 1, _("district")
    STREET = 2, _("street")
    COMMUNITY = 3, _("community")
    GRID = 4, _("grid")


# The column of a Placed row that holds its ancestor at each level below the city.
LEVEL_FIELD = {
    Level.DISTRICT: "district",
    Level.STREET: "street",
    Level.COMMUNITY: "community",
    Level.GRID: "grid",
}


def _placed_fk(level: str) -> models.ForeignKey[AdminUnit | None, AdminUnit | None]:
    return models.ForeignKey(
        "core.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=level,
    )


class DatedVersion(models.Model):
    """A dated version of a module's rules (rules are data): ``params`` is what the module's
    rule class parses; ``core.versions.version_in_force`` picks the one in force on a date."""

    name = models.CharField(max_length=64, unique=True)
    effective_from = models.DateField()
    params = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return self.name


class Placed(models.Model):
    """Carries a row's ancestors in the admin tree so scoping is one indexed equality."""

    district = _placed_fk("district")
    street = _placed_fk("street")
    community = _placed_fk("community")
    grid = _placed_fk("grid")

    class Meta:
        abstract = True

    def place_in(self, unit: AdminUnit) -> None:
        """Copy the ancestors of ``unit`` (inclusive) onto this row."""
        self.district_id = unit.district_id
        self.street_id = unit.street_id
        self.community_id = unit.community_id
        self.grid_id = unit.grid_id


class AdminUnit(Placed):
    """A node of city → district → street → community → grid, with its boundary (GeoJSON)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.SmallIntegerField(choices=Level.choices)
    code = models.CharField(max_length=24, unique=True)
    name = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96, blank=True)
    boundary = models.TextField(blank=True, help_text="GeoJSON geometry, lon/lat")
    center_lat = models.FloatField(null=True, blank=True)
    center_lon = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Profile(models.Model):
    """A user's roles and the one node of the tree they work in (none: sees nothing)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    unit = models.ForeignKey(AdminUnit, null=True, blank=True, on_delete=models.PROTECT)
    roles = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class AuditQuerySet(models.QuerySet["AuditLog", "AuditLog"]):
    def bulk_create(  # type: ignore[override]
        self, objs: Iterable[AuditLog], *args: Any, **kwargs: Any
    ) -> list[AuditLog]:
        rows = list(objs)
        for row in rows:
            row.fill_digest()
        return cast("list[AuditLog]", super().bulk_create(rows, *args, **kwargs))  # type: ignore[arg-type]


class AuditLog(Placed):
    """Who did what, when, to which object, with the state before and after. ``digest``,
    ``seq`` and ``link`` make edits and deletions detectable (core/audit_chain.py); every
    way of inserting a row (save, create, bulk_create) fills the digest."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    digest = models.CharField(max_length=80, unique=True, editable=False)
    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    link = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id"])]
        ordering = ["-at", "-id"]

    def fill_digest(self) -> None:
        if not self.digest:
            from fangkong.core.audit_chain import new_digest, row_values

            self.digest = new_digest(row_values(self))

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An unsealed row may still be completed in its own transaction (screening's ingest
        places its row after writing it): the digest is made again. A sealed row is final."""
        if not (self._state.adding or self.pk is None or kwargs.get("force_insert")):
            if self.seq is not None:
                raise ValueError(f"audit row {self.pk} is sealed and cannot change")
            self.digest = ""
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = [*kwargs["update_fields"], "digest"]
        self.fill_digest()
        super().save(*args, **kwargs)


class AuditCheckpoint(models.Model):
    """The chain's last position and link after each sealing step: a deleted tail of sealed
    rows leaves a checkpoint pointing past the end."""

    seq = models.BigIntegerField(unique=True)
    link = models.CharField(max_length=64)
    at = models.DateTimeField()
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-seq"]


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPLIED = "applied", _("approved and applied")
    REJECTED = "rejected", _("rejected")


class Approval(Placed):
    """A change that needs a second person: requested by one user, decided by another."""

    kind = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    payload = models.JSONField()
    reason = models.TextField()
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "kind"])]


class LoginFailure(models.Model):
    """A failed login; enough of them for one name or address locks it out for a while."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(db_index=True)
