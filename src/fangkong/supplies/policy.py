"""The supplies rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.supplies.logic import SupplyRules
from fangkong.supplies.models import SupplyPolicy


def supply_policy_in_force(*, on: dt.date) -> SupplyPolicy:
    """The latest version effective on ``on``; before the first, the first."""
    found = version_in_force(SupplyPolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no supply policy is configured"), field="policy")
    return found


def rules_of(version: SupplyPolicy) -> SupplyRules:
    try:
        return SupplyRules.from_dict(version.params)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise DomainError(_("supply policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc


def supply_rules(*, on: dt.date) -> SupplyRules:
    return rules_of(supply_policy_in_force(on=on))
