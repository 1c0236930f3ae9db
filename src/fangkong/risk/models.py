"""Risk-area tables. An area is Placed at the node (or building) it covers, so the street and
district above it see it with one indexed equality; requests, checks and passes are Placed at
the household or person they serve (their grid's workers see them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import AdminUnit, DatedVersion, Placed
from fangkong.registry.models import Building, Household, Person
from fangkong.tracing.models import Case


class RiskPolicy(DatedVersion):
    """A dated version of the risk-area rules (rules are data). ``params`` follows
    ``risk.logic.RiskRules``: per level the clean days before the next step, what that step
    is, whether a negative screening round must precede it, plus pass and request limits.
    The version in force on a date is the latest whose ``effective_from`` is not after it."""


class RiskLevel(models.TextChoices):
    """The three classes of practice; the 9th edition named them high / medium / low risk."""

    SEALED = "sealed", _("sealed area (high risk)")
    CONTROLLED = "controlled", _("controlled area (medium risk)")
    PRECAUTION = "precaution", _("precaution area (low risk)")


class AreaStatus(models.TextChoices):
    ACTIVE = "active", _("in force")
    LIFTED = "lifted", _("lifted")


class RiskArea(Placed):
    """A designated area: a community or grid (``unit``) or one building. ``designated_level``
    is kept because the rules treat an area downgraded from sealed differently from one
    designated controlled from the start."""

    code = models.CharField(max_length=32, unique=True, help_text=_("public number"))
    name = models.CharField(max_length=200, help_text=_("public wording of the area"))
    unit = models.ForeignKey(AdminUnit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    level = models.CharField(max_length=12, choices=RiskLevel.choices)
    designated_level = models.CharField(max_length=12, choices=RiskLevel.choices)
    level_since = models.DateTimeField()
    reason = models.TextField()
    cases = models.ManyToManyField(Case, blank=True, related_name="risk_areas")
    policy = models.ForeignKey(RiskPolicy, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text=_("version in force at designation"))
    status = models.CharField(max_length=8, choices=AreaStatus.choices,
                              default=AreaStatus.ACTIVE)
    started_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, building__isnull=True)
                | Q(unit__isnull=True, building__isnull=False),
                name="risk_area_unit_xor_building"),
        ]
        indexes = [models.Index(fields=["status", "level"], name="risk_area_status_level")]

    def __str__(self) -> str:
        return self.code


class EventKind(models.TextChoices):
    DESIGNATED = "designated", _("designated")
    UPGRADED = "upgraded", _("raised")
    DOWNGRADED = "downgraded", _("lowered")
    CASE_LINKED = "case_linked", _("new case linked")
    LIFTED = "lifted", _("lifted")


class AreaEvent(models.Model):
    """One step of an area's public history."""

    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    level_from = models.CharField(max_length=12, choices=RiskLevel.choices, blank=True)
    level_to = models.CharField(max_length=12, choices=RiskLevel.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved and applied")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn: conditions no longer hold")


class LiftProposal(Placed):
    """A step down (or the lifting) the system proposes when the policy's conditions hold;
    nothing changes until a person approves it. ``to_level`` empty means lift."""

    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="proposals")
    to_level = models.CharField(max_length=12, choices=RiskLevel.choices, blank=True)
    proposed_at = models.DateTimeField()
    evidence = models.JSONField(default=dict, blank=True,
                                help_text=_("clean days, last case, screening round"))
    status = models.CharField(max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area"], condition=Q(status="pending"),
                                    name="one_pending_proposal_per_area"),
        ]


class Gate(Placed):
    """A guarded way in and out of an area; exit passes are valid only at their area's gates."""

    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="gates")
    name = models.CharField(max_length=100)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class PassPurpose(models.TextChoices):
    SHOPPING = "shopping", _("shopping for the household")
    MEDICAL = "medical", _("medical visit")
    ESSENTIAL_WORK = "work", _("essential work")
    OTHER = "other", _("other")


class ExitPass(Placed):
    """An exit pass (出入证) of a household, shown as a signed QR code; ``serial`` is what the
    token carries, so a revoked or superseded pass is refused even with a good signature."""

    serial = models.CharField(max_length=24, unique=True)
    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="passes")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    purpose = models.CharField(max_length=10, choices=PassPurpose.choices)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["household", "issued_at"], name="pass_household_issued")]


class CheckResult(models.TextChoices):
    PASS = "pass", _("pass")
    WRONG_GATE = "wrong_gate", _("not a gate of this pass's area")
    EXPIRED = "expired", _("expired")
    NOT_YET = "not_yet", _("not valid yet")
    REVOKED = "revoked", _("revoked")
    FORGED = "forged", _("signature invalid")
    LIFTED = "lifted", _("area lifted: no pass needed")


class PassCheck(Placed):
    """One scan of a pass at a gate, whatever the answer (placed at the gate's area)."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="checks")
    exit_pass = models.ForeignKey(ExitPass, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="checks")
    at = models.DateTimeField()
    result = models.CharField(max_length=12, choices=CheckResult.choices)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")


class RequestKind(models.TextChoices):
    GROCERIES = "groceries", _("food and daily goods")
    MEDICINE = "medicine", _("medicine")
    DIALYSIS = "dialysis", _("dialysis")
    PREGNANCY = "pregnancy", _("pregnancy check")
    EMERGENCY = "emergency", _("emergency care")
    OTHER = "other", _("other help")


class Priority(models.IntegerChoices):
    URGENT = 0, _("urgent")
    HIGH = 1, _("high")
    NORMAL = 2, _("normal")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    ASSIGNED = "assigned", _("assigned")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class RequestChannel(models.TextChoices):
    STAFF = "staff", _("entered by staff")
    RESIDENT = "resident", _("sent by the resident")
    HOTLINE = "hotline", _("from the hotline")


class SupplyRequest(Placed):
    """A household's request for goods, medicine or care, with a deadline from its kind; it is
    Placed at the household so its grid's workers and volunteers see it."""

    area = models.ForeignKey(RiskArea, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="requests")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", help_text=_("who needs it, if one person"))
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    priority = models.SmallIntegerField(choices=Priority.choices)
    details = models.TextField(blank=True)
    deadline = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.OPEN)
    channel = models.CharField(max_length=10, choices=RequestChannel.choices,
                               default=RequestChannel.STAFF)
    client_key = models.CharField(max_length=64, blank=True,
                                  help_text=_("makes a resident's resubmission idempotent"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "client_key"],
                                    condition=~Q(client_key=""),
                                    name="one_request_per_client_key"),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="request_status_deadline"),
            models.Index(fields=["grid", "status"], name="request_grid_status"),
        ]


class CareStatus(models.TextChoices):
    OK = "ok", _("well")
    NEEDS_HELP = "needs_help", _("needs help")
    UNREACHABLE = "unreachable", _("not reached")


class CareCheck(Placed):
    """The daily check of one person of the special-groups roster (elderly living alone,
    disabled, pregnant, chronic care such as dialysis, infants) inside an area."""

    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="care_checks")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    status = models.CharField(max_length=12, choices=CareStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="one_care_check_a_day"),
        ]
