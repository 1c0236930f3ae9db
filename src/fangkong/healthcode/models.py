"""Health-code tables. A person's current code is Placed at their residence, like the person,
so a district's staff see their residents' codes; events from gates and venues carry the
pseudonym or the person and are Placed at the venue or residence they concern."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import Approval, DatedVersion, Placed
from fangkong.registry.models import Person, Venue


class CodePolicy(DatedVersion):
    """A dated version of the health-code rules (rules are data). ``params`` follows
    ``healthcode.logic.CodeRules``: the colour and pop-up each fact gives, how long it lasts,
    the test ages that clear pop-ups, and the token lifetime."""


class Colour(models.TextChoices):
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


class SigningKey(models.Model):
    """An Ed25519 key pair. Tokens name their key by ``kid``; public keys are published so a
    gate verifies offline. The private key is stored encrypted with a key derived from the
    server's secret, so a database dump alone cannot sign codes. One key signs at a time (the
    newest active one); retired keys stay published until every code they signed expired."""

    kid = models.CharField(max_length=8, unique=True)
    public_key = models.CharField(max_length=64, help_text=_("raw key, base64url"))
    private_key = models.TextField(help_text=_("encrypted with the server's secret"))
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PersonCode(Placed):
    """A person's current code as last computed: colour, pop-up flags, and the reasons (each
    with what clears it). ``pseudonym`` is what a token carries instead of any identity; it is
    random and can be rotated without touching the person."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="health_code")
    pseudonym = models.CharField(max_length=24, unique=True)
    colour = models.CharField(max_length=6, choices=Colour.choices)
    flags = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True,
                                       help_text=_("when the status next changes by itself"))
    policy = models.ForeignKey(CodePolicy, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["district", "colour"], name="code_district_colour")]


class Override(Placed):
    """A manual colour set after a second person's approval, with its reason and end."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="code_overrides")
    colour = models.CharField(max_length=6, choices=Colour.choices)
    reason = models.TextField()
    approval = models.ForeignKey(Approval, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "expires_at"], name="override_person_end")]


class Arrival(Placed):
    """An arrival in the city (from a declaration or a station check); without a negative test
    within the policy's hours it raises a pop-up."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="arrivals")
    arrived_at = models.DateTimeField()
    origin = models.CharField(max_length=100, blank=True)
    from_risk_area = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()


class DrugClass(models.TextChoices):
    FEVER = "fever", _("fever reducer")
    COUGH = "cough", _("cough medicine")
    ANTIBIOTIC = "antibiotic", _("antibiotic")
    ANTIVIRAL = "antiviral", _("antiviral")


class Purchase(Placed):
    """A pharmacy sale of one of the watched drug classes, reported by the pharmacy."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="purchases")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    drug_class = models.CharField(max_length=12, choices=DrugClass.choices)
    bought_at = models.DateTimeField()


class CheckinSource(models.TextChoices):
    RESIDENT = "resident", _("resident scanned the venue code")
    GATE = "gate", _("venue scanned the resident's code")


class Checkin(Placed):
    """A venue check-in (Placed at the venue's grid), the live source of the contact engine's
    ``checkins`` contract; ``client_key`` makes a resent upload store it once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+")
    ts = models.DateTimeField()
    exit_ts = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=CheckinSource.choices)
    client_key = models.CharField(max_length=64)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "client_key"], name="one_checkin_per_key"),
        ]
        indexes = [models.Index(fields=["venue", "ts"], name="checkin_venue_ts"),
                   models.Index(fields=["ts"], name="checkin_ts")]


class ScanResult(models.TextChoices):
    PASS = "pass", _("pass")
    STOP = "stop", _("stop")


class GateScan(Placed):
    """A code scanned at a door, as the device decided it offline, uploaded later with the
    device's key for the batch (Placed at the venue)."""

    device = models.CharField(max_length=64)
    client_key = models.CharField(max_length=64)
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    scanned_at = models.DateTimeField()
    pseudonym = models.CharField(max_length=24, blank=True)
    colour = models.CharField(max_length=6, choices=Colour.choices, blank=True)
    result = models.CharField(max_length=4, choices=ScanResult.choices)
    reason = models.CharField(max_length=32, blank=True)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "client_key"], name="one_scan_per_key"),
        ]


class AppealStatus(models.TextChoices):
    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")


class Appeal(Placed):
    """A resident's appeal against their colour, answered by the staff of their residence
    (the 12345 hotline will route these as tickets)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    colour = models.CharField(max_length=6, choices=Colour.choices)
    reasons = models.JSONField(default=list, blank=True)
    message = models.TextField()
    client_key = models.CharField(max_length=64, blank=True,
                                  help_text=_("makes a resent appeal store once"))
    status = models.CharField(max_length=10, choices=AppealStatus.choices,
                              default=AppealStatus.OPEN)
    created_at = models.DateTimeField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "client_key"], condition=~Q(client_key=""),
                                    name="one_appeal_per_client_key"),
        ]


class AbuseKind(models.TextChoices):
    UNLINKED = "unlinked", _("change for a person with no epidemiological link")
    BULK = "bulk", _("one user changing many codes")


class AbuseAlert(Placed):
    """Raised when a manual change looks like misuse (the Henan red codes): the person is
    linked to no case, contact, area or test, or one user changes many codes at once."""

    kind = models.CharField(max_length=10, choices=AbuseKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["unlinked", "bulk"]),
                                   name="abuse_kind_known"),
        ]
