"""Registry tables. Each row is Placed (district/street/community/grid) for one-column scoping."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import Placed


class Building(Placed):
    name = models.CharField(max_length=64)
    address = models.CharField(max_length=200)
    lat = models.FloatField()
    lon = models.FloatField()
    floors = models.SmallIntegerField(default=1)

    def __str__(self) -> str:
        return self.address


class Household(Placed):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households")
    address = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.address


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Occupation(models.TextChoices):
    WORKER = "worker", _("worker")
    STUDENT = "student", _("student")
    CHILD = "child", _("child")
    RETIRED = "retired", _("retired")
    OTHER = "other", _("other")


SPECIAL_GROUPS = ("over80_alone", "disabled", "pregnant", "chronic_care", "infant")


class Person(Placed):
    """A resident. ``id_number``/``phone`` are personal data: masked on display, purged after
    ``inactive_since`` + retention; their last four digits are kept separately for search."""

    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    name = models.CharField(max_length=64, db_index=True)
    id_number = models.CharField(max_length=18, null=True, blank=True, unique=True)
    id_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=200, blank=True)
    occupation = models.CharField(
        max_length=16, choices=Occupation.choices, default=Occupation.OTHER
    )
    over80_alone = models.BooleanField(default=False)
    disabled = models.BooleanField(default=False)
    pregnant = models.BooleanField(default=False)
    chronic_care = models.BooleanField(default=False)
    infant = models.BooleanField(default=False)
    inactive_since = models.DateField(null=True, blank=True, help_text=_("moved away or died"))
    temporary = models.BooleanField(
        default=False, help_text=_("a visitor registered at a screening table, not a resident"))
    purged = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["grid", "id"], name="person_grid_page"),
            models.Index(fields=["district", "id"], name="person_district_page"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.id_last4 = (self.id_number or "")[-4:]
        self.phone_last4 = (self.phone or "")[-4:]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class VenueType(models.TextChoices):
    MARKET = "market", _("market")
    SUPERMARKET = "supermarket", _("supermarket")
    RESTAURANT = "restaurant", _("restaurant")
    OFFICE = "office", _("office")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    PHARMACY = "pharmacy", _("pharmacy")
    STATION = "station", _("station")
    GYM = "gym", _("gym")
    MALL = "mall", _("mall")
    OTHER = "other", _("other")


class Venue(Placed):
    venue_code = models.CharField(max_length=32, unique=True)
    type = models.CharField(max_length=16, choices=VenueType.choices)
    name = models.CharField(max_length=128, db_index=True)
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
