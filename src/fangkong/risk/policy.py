"""The risk-area rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.risk.logic import RiskRules
from fangkong.risk.models import RiskPolicy


def risk_policy_in_force(*, on: dt.date) -> RiskPolicy:
    """The latest version effective on ``on``; before the first, the first."""
    found = version_in_force(RiskPolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no risk-area policy is configured"), field="policy")
    return found


def rules_of(version: RiskPolicy) -> RiskRules:
    try:
        return RiskRules.from_dict(version.params)
    except (TypeError, ValueError, KeyError) as exc:
        raise DomainError(_("risk-area policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc


def risk_rules(*, on: dt.date) -> RiskRules:
    return rules_of(risk_policy_in_force(on=on))
