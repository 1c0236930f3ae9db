"""Cold-chain traceability tables. A cold place is a registry venue in a cold-chain role (a
supervised warehouse, a cold store, a market, a shop): the registry's venue types have no
warehouse, so the role lives here and the venue keeps its place in the tree. Every row is
Placed: places, handlers and samples where they are; a batch at the store it entered first;
a movement at its destination; a trace hit at the place reached."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.models import DatedVersion, Placed
from fangkong.registry.models import Person, Venue


class ColdChainPolicy(DatedVersion):
    """Dated rules: handlers' test intervals by role, the look-back of an environmental
    sample (``ColdChainRules``)."""

    class Meta(DatedVersion.Meta):
        verbose_name = _("cold-chain policy version")


class PlaceKind(models.TextChoices):
    SUPERVISED = "supervised", _("supervised warehouse")
    WAREHOUSE = "warehouse", _("cold store")
    MARKET = "market", _("wholesale market")
    SHOP = "shop", _("shop or supermarket")
    RESTAURANT = "restaurant", _("restaurant or canteen")


class ColdPlace(Placed):
    venue = models.OneToOneField(Venue, on_delete=models.PROTECT, related_name="cold_place")
    kind = models.CharField(max_length=12, choices=PlaceKind.choices)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.venue.name


class NatResult(models.TextChoices):
    NEGATIVE = "negative", _("negative")
    POSITIVE = "positive", _("positive")
    PENDING = "pending", pgettext_lazy("test result", "pending")


class Batch(Placed):
    """An imported frozen batch with its certificates; it entered the city at ``entry_place``
    (its first movement, from the port, is stored with it)."""

    code = models.CharField(max_length=40, unique=True)
    product = models.CharField(max_length=100)
    origin_country = models.CharField(max_length=60)
    port = models.CharField(max_length=60, help_text=_("port of entry"))
    arrived_at = models.DateTimeField(db_index=True)
    quantity_kg = models.DecimalField(max_digits=12, decimal_places=2)
    nat_certificate = models.CharField(max_length=60, blank=True)
    nat_result = models.CharField(max_length=10, choices=NatResult.choices,
                                  default=NatResult.PENDING)
    disinfection_certificate = models.CharField(max_length=60, blank=True)
    disinfected_on = models.DateField(null=True, blank=True)
    supervised_checked = models.BooleanField(
        default=False, help_text=_("passed the supervised warehouse (监管仓)"))
    entry_place = models.ForeignKey(ColdPlace, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.code


class Movement(Placed):
    """Some or all of a batch moved; ``from_place`` None is the port of entry."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="movements")
    from_place = models.ForeignKey(ColdPlace, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    to_place = models.ForeignKey(ColdPlace, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(db_index=True)
    quantity_kg = models.DecimalField(max_digits=12, decimal_places=2)
    client_key = models.CharField(max_length=64, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["batch", "moved_at"], name="cc_move_batch_time"),
            models.Index(fields=["to_place", "moved_at"], name="cc_move_to_time"),
            models.Index(fields=["from_place", "moved_at"], name="cc_move_from_time"),
        ]


class HandlerRole(models.TextChoices):
    PORTER = "porter", _("porter")
    WAREHOUSE = "warehouse", _("warehouse keeper")
    DRIVER = "driver", _("driver")
    SELLER = "seller", _("seller")


class Handler(Placed):
    """A registry person working with imported frozen goods at a place. Their tests are the
    screening samples of ``testing``; ``due_now_since`` is set when a trace reaches them."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(ColdPlace, on_delete=models.CASCADE, related_name="handlers")
    role = models.CharField(max_length=10, choices=HandlerRole.choices)
    since = models.DateField()
    active = models.BooleanField(default=True)
    due_now_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "place"],
                                               name="cc_one_handler_per_place")]
        indexes = [models.Index(fields=["place", "active"], name="cc_handler_place")]


class SampleKind(models.TextChoices):
    PACKAGING = "packaging", _("outer packaging")
    PRODUCT = "product", _("product")
    ENVIRONMENT = "environment", _("environment")


class PositiveSample(Placed):
    place = models.ForeignKey(ColdPlace, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    kind = models.CharField(max_length=12, choices=SampleKind.choices)
    sampled_at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=200, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField()


class Trace(Placed):
    """The stored result of tracing a positive sample: counts, and in ``result`` the batches
    (positive and co-present) and handlers found; each place reached is a ``TraceHit``."""

    sample = models.ForeignKey(PositiveSample, on_delete=models.CASCADE, related_name="traces")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    run_at = models.DateTimeField(db_index=True)
    as_of = models.DateTimeField()
    batches = models.PositiveIntegerField(default=0)
    places = models.PositiveIntegerField(default=0)
    handlers = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)
    acted_at = models.DateTimeField(null=True, blank=True)


class Direction(models.TextChoices):
    SAMPLE = "sample", _("where the sample was taken")
    BACKWARD = "backward", _("upstream")
    FORWARD = "forward", _("downstream")


class TraceHit(Placed):
    """A place a trace reached, with the window the traced batches were there."""

    trace = models.ForeignKey(Trace, on_delete=models.CASCADE, related_name="hits")
    place = models.ForeignKey(ColdPlace, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    risk_point = models.ForeignKey("tracing.RiskPoint", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trace", "place"],
                                               name="cc_one_hit_per_place")]
