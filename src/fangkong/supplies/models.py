"""Supplies and prices tables. An outlet is a registry ``Venue`` of type market or supermarket;
its reports are Placed at the venue's unit (its grid sees them, its street sums them); an
alert is Placed at the street whose residents it concerns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import DatedVersion, Placed
from fangkong.registry.models import Venue


class SupplyPolicy(DatedVersion):
    """Dated rules (``logic.SupplyRules``): per-person daily need of each good, the days of
    need a street's outlets must hold (normal, and for residents of sealed or controlled
    areas), and the price-jump thresholds."""

    class Meta(DatedVersion.Meta):
        verbose_name = _("supply policy version")


class Good(models.TextChoices):
    """The six key goods (重要民生商品); units and needs are in ``logic`` and the policy."""

    GRAIN = "grain", _("grain (rice, flour)")
    OIL = "oil", _("edible oil")
    MEAT = "meat", _("meat")
    EGGS = "eggs", _("eggs")
    VEGETABLES = "vegetables", _("vegetables")
    MILK = "milk", _("milk")


class StockReport(Placed):
    """An outlet's stock at closing and its retail price of one good on one day. One row per
    venue × good × day: the same client key again is stored once, a new key corrects it."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+")
    good = models.CharField(max_length=12, choices=Good.choices)
    day = models.DateField(db_index=True)
    stock = models.DecimalField(max_digits=12, decimal_places=1, help_text=_("kg or L"))
    price = models.DecimalField(max_digits=8, decimal_places=2, help_text=_("yuan per kg or L"))
    client_key = models.CharField(max_length=64)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["venue", "good", "day"], name="one_stock_report"),
        ]
        indexes = [models.Index(fields=["street", "day"], name="stock_street_day")]


class AlertKind(models.TextChoices):
    LOW_STOCK = "low_stock", _("low stock")
    PRICE_JUMP = "price_jump", _("price jump")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    CLOSED = "closed", _("closed")


class SupplyAlert(Placed):
    """A street's good below its days of need, or its median price jumping, from ``day``
    (the first day) to ``last_day`` (the latest day the rule still fired). ``figures`` holds
    what the rule saw on ``last_day``; one alert per street × kind × good while not closed."""

    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    good = models.CharField(max_length=12, choices=Good.choices)
    day = models.DateField()
    last_day = models.DateField()
    figures = models.JSONField(default=dict)
    policy_name = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=AlertStatus.choices,
                              default=AlertStatus.OPEN)
    found_at = models.DateTimeField(db_index=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["street", "kind", "good", "day"],
                                    name="one_supply_alert"),
        ]
        indexes = [models.Index(fields=["street", "status"], name="supply_alert_open")]
