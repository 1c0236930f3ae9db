"""Vaccination tables. A dose is Placed at the person's residence (not at the site that gave
it), so the grid that must knock on doors sees its own residents' doses; a visit likewise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import DatedVersion, Placed
from fangkong.registry.models import Person, Venue


class VaccinationPolicy(DatedVersion):
    """Dated rules: the age bands, the elderly age, the booster's minimum interval after
    the primary series (``VaccinationRules``)."""

    class Meta(DatedVersion.Meta):
        verbose_name = _("vaccination policy version")


class Product(models.Model):
    """A vaccine product and the doses of its full primary series (seeded; see 0002)."""

    code = models.CharField(max_length=24, unique=True)
    name = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96)
    maker = models.CharField(max_length=96)
    platform = models.CharField(max_length=48)
    primary_doses = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name


class CountsAs(models.IntegerChoices):
    """What a dose contributes to its person's status (the person's status is the largest
    contribution of their doses; a person without doses is 0, unvaccinated)."""

    PARTIAL = 1, _("primary series begun")
    FULL = 2, _("primary series complete")
    BOOSTED = 3, _("booster")


class DoseSource(models.TextChoices):
    SITE = "site", _("recorded at a site")
    SYSTEM = "system", _("imported from the vaccination system")


class Dose(Placed):
    """One dose given. ``counts_as`` is derived (``logic.contributions``) from all the
    person's doses and the rules in force on each date, and rewritten when a dose arrives."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    dose_number = models.PositiveSmallIntegerField()
    given_on = models.DateField(db_index=True)
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    site = models.CharField(max_length=64, blank=True, help_text=_("the site's code"))
    counts_as = models.PositiveSmallIntegerField(choices=CountsAs.choices)
    source = models.CharField(max_length=8, choices=DoseSource.choices)
    client_key = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_key"], name="one_dose_per_key"),
            models.UniqueConstraint(fields=["person", "dose_number"], name="one_dose_number"),
        ]
        indexes = [
            models.Index(fields=["person", "counts_as"], name="dose_person_status"),
            models.Index(fields=["street", "given_on"], name="dose_street_day"),
        ]


class VisitOutcome(models.TextChoices):
    WILL_BOOK = "will_book", _("visited: will book a dose")
    REFUSES = "refuses", _("visited: refuses")
    CONTRAINDICATED = "contraindicated", _("medical contraindication")
    AWAY = "away", _("away, not met")


class Visit(Placed):
    """A door-to-door visit to an elderly resident not fully vaccinated, and what came of it;
    the list shows each person's latest."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=16, choices=VisitOutcome.choices)
    note = models.CharField(max_length=200, blank=True)
    visited_at = models.DateTimeField(db_index=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["person", "visited_at"], name="visit_person_latest")]
