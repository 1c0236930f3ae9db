"""Exit passes (出入证) of households in an area and their check at the area's gates.

A pass is a row (serial, validity, revocation) plus a token that carries the serial, the area
and the expiry, signed with ``django.core.signing`` (salt ``risk.pass``). The gate trusts only
the row the serial names: a good signature over a revoked or unknown serial is refused, and an
altered token fails its signature. How many passes a household gets is the version's rule
(``pass_per_household`` per ``pass_period_days``, ``pass_valid_hours`` each), counted over
non-revoked passes whose start lies within one period of the new one's; the household row is
locked while counting so two workers cannot both issue the last one.
"""

from __future__ import annotations

import datetime as dt
import secrets

import segno
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.registry.models import Household, Person
from fangkong.risk.logic import RiskRules
from fangkong.risk.models import (
    AreaStatus,
    CheckResult,
    ExitPass,
    Gate,
    PassCheck,
    PassPurpose,
    RiskArea,
)
from fangkong.risk.policy import risk_rules
from fangkong.risk.queries import area_for, visible
from fangkong.risk.requests import covers, place_at

SIGNING_SALT = "risk.pass"
SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a gate
SERIAL_LENGTH = 12
EARLY_START = dt.timedelta(minutes=5)  # a start a moment in the past is "now"
TOKEN_MAX = 400


def _signer() -> signing.Signer:
    return signing.Signer(salt=SIGNING_SALT)


def pass_token(exit_pass: ExitPass) -> str:
    """``SERIAL.area.expiry:signature``: short enough for a QR code a phone camera reads."""
    expiry = int(exit_pass.valid_until.timestamp())
    return _signer().sign(f"{exit_pass.serial}.{exit_pass.area_id}.{expiry}")


def pass_qr_svg(exit_pass: ExitPass) -> str:
    return str(segno.make(pass_token(exit_pass), error="m").svg_inline(scale=4))


def read_pass_token(token: str) -> ExitPass | None:
    """The pass a token names, or None when forged, altered or unknown."""
    try:
        serial, area_id, _expiry = _signer().unsign(token.strip()).split(".")
    except (signing.BadSignature, ValueError):
        return None
    found = ExitPass.objects.filter(serial=serial).select_related("area").first()
    if found is None or str(found.area_id) != area_id:
        return None
    return found


# ---------------------------------------------------------------- issuing and revoking


def passes_in_window(household: Household, start: dt.datetime,
                     rules: RiskRules) -> int:
    """Non-revoked passes of the household starting less than one period from ``start``."""
    period = dt.timedelta(days=rules.pass_period_days)
    return ExitPass.objects.filter(household=household, revoked_at__isnull=True,
                                   valid_from__gt=start - period,
                                   valid_from__lt=start + period).count()


def _start(valid_from: dt.datetime | None, rules: RiskRules) -> dt.datetime:
    now = clock.now()
    start = valid_from or now
    if start < now - EARLY_START or start > now + dt.timedelta(days=rules.pass_period_days):
        raise DomainError(_("the pass starts now or within %(n)d days")
                          % {"n": rules.pass_period_days}, field="valid_from")
    return max(start, now)


def _holder(household: Household, holder_id: int | None) -> Person | None:
    if holder_id is None:
        return None
    holder = Person.objects.filter(pk=holder_id, household=household,
                                   inactive_since__isnull=True).first()
    if holder is None:
        raise DomainError(_("the holder must live in the household"), field="holder_id")
    return holder


def _area_and_household(actor: Actor, area_id: int,
                        household_id: int) -> tuple[RiskArea, Household]:
    area = area_for(actor, area_id)
    if area.status != AreaStatus.ACTIVE:
        raise Conflict(_("the area has been lifted: no pass is needed"), field="area_id")
    household = get_scoped(Household.objects.select_for_update(), actor, what="household",
                           pk=household_id)
    if not covers(area, household):
        raise DomainError(_("this household is not in the area"), field="household_id")
    return area, household


def do_issue_pass(*, actor: Actor, area_id: int, household_id: int, purpose: str,
                  holder_id: int | None = None,
                  valid_from: dt.datetime | None = None) -> ExitPass:
    """Issue a household's exit pass within the version's limit (audited)."""
    actor.require(Right.RISK_SUPPORT)
    if purpose not in PassPurpose.values:
        raise DomainError(_("choose the purpose of the pass"), field="purpose")
    rules = risk_rules(on=clock.city_today())
    with transaction.atomic():
        area, household = _area_and_household(actor, area_id, household_id)
        start = _start(valid_from, rules)
        if passes_in_window(household, start, rules) >= rules.pass_per_household:
            raise Conflict(_("this household already has %(n)d pass(es) within %(d)d days")
                           % {"n": rules.pass_per_household, "d": rules.pass_period_days},
                           field="household_id")
        exit_pass = ExitPass(
            serial="".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH)),
            area=area, household=household, holder=_holder(household, holder_id),
            purpose=purpose, valid_from=start,
            valid_until=start + dt.timedelta(hours=rules.pass_valid_hours),
            issued_at=clock.now(), issued_by_id=actor.user_id)
        place_at(exit_pass, household)
        exit_pass.save(force_insert=True)
        record(actor=actor, verb="risk.pass.issue", target=exit_pass,
               after=snapshot(exit_pass))
    return exit_pass


def do_revoke_pass(*, actor: Actor, pass_id: int) -> ExitPass:
    """Revoke a pass (it no longer opens a gate, and frees the household's quota); revoking
    again changes nothing."""
    actor.require(Right.RISK_SUPPORT)
    with transaction.atomic():
        exit_pass = get_scoped(ExitPass.objects.select_for_update(), actor, what="pass",
                               pk=pass_id)
        if exit_pass.revoked_at is not None:
            return exit_pass
        before = snapshot(exit_pass)
        exit_pass.revoked_at = clock.now()
        exit_pass.save(update_fields=["revoked_at"])
        record(actor=actor, verb="risk.pass.revoke", target=exit_pass, before=before,
               after=snapshot(exit_pass))
    return exit_pass


# ---------------------------------------------------------------- the gate


def verdict(exit_pass: ExitPass | None, gate: Gate, at: dt.datetime) -> str:
    """What the gate answers for a pass (None: forged or unknown); the first refusal that
    holds is the answer."""
    if exit_pass is None:
        return CheckResult.FORGED
    refusals = (
        (exit_pass.revoked_at is not None, CheckResult.REVOKED),
        (exit_pass.area_id != gate.area_id, CheckResult.WRONG_GATE),
        (exit_pass.area.status != AreaStatus.ACTIVE, CheckResult.LIFTED),
        (at < exit_pass.valid_from, CheckResult.NOT_YET),
        (at >= exit_pass.valid_until, CheckResult.EXPIRED),
    )
    return next((result for holds, result in refusals if holds), CheckResult.PASS)


def gates_for(actor: Actor) -> QuerySet[Gate]:
    """Open gates of active areas the actor may check, by area and name."""
    return visible(Gate.objects.filter(active=True, area__status=AreaStatus.ACTIVE)
                   .select_related("area"), actor, via="area__").order_by("area__code", "name")


def check_pass_at_gate(*, actor: Actor, gate_id: int, token: str) -> PassCheck:
    """Check a scanned pass at a gate; every scan is stored with its answer."""
    actor.require(Right.GATE_CHECK)
    with transaction.atomic():
        gate = visible(Gate.objects.select_related("area"), actor,
                       via="area__").filter(pk=gate_id).first()
        if gate is None:
            raise NotFound("gate")
        if not gate.active:
            raise Conflict(_("this gate is closed"), field="gate_id")
        exit_pass = read_pass_token(token) if len(token) <= TOKEN_MAX else None
        now = clock.now()
        check = PassCheck(gate=gate, exit_pass=exit_pass, at=now, checked_by_id=actor.user_id,
                          result=verdict(exit_pass, gate, now))
        check.district_id, check.street_id = gate.district_id, gate.street_id
        check.community_id, check.grid_id = gate.community_id, gate.grid_id
        check.save(force_insert=True)
        record(actor=actor, verb="risk.pass.check", target=check,
               after={"gate": gate.pk, "pass": exit_pass.pk if exit_pass else None,
                      "result": check.result})
    return check


def recent_checks(actor: Actor, *, gate: Gate | None = None,
                  area: RiskArea | None = None) -> QuerySet[PassCheck]:
    qs = scope(PassCheck.objects.select_related("gate", "exit_pass"), actor)
    if gate is not None:
        qs = qs.filter(gate=gate)
    if area is not None:
        qs = qs.filter(gate__area=area)
    return qs.order_by("-at", "-id")


def passes_of(actor: Actor, area: RiskArea) -> QuerySet[ExitPass]:
    """An area's passes the actor may see, newest first."""
    return scope(ExitPass.objects.filter(area=area).select_related("household", "holder"),
                 actor).order_by("-issued_at", "-id")
