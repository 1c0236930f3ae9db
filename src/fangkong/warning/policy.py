"""The early-warning rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.warning.logic import WarningRules
from fangkong.warning.models import WarningPolicy


def warning_policy_in_force(*, on: dt.date) -> WarningPolicy:
    """The latest version effective on ``on``; before the first, the first."""
    found = version_in_force(WarningPolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no early-warning policy is configured"), field="policy")
    return found


def rules_of(version: WarningPolicy) -> WarningRules:
    try:
        return WarningRules.from_dict(version.params)
    except (TypeError, ValueError, KeyError) as exc:
        raise DomainError(_("early-warning policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc


def warning_rules(*, on: dt.date) -> WarningRules:
    return rules_of(warning_policy_in_force(on=on))
