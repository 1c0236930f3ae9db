"""The quarantine rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.quarantine.logic import QuarantineRules
from fangkong.quarantine.models import QuarantinePolicy


def quarantine_policy_in_force(*, on: dt.date) -> QuarantinePolicy:
    """The latest version effective on ``on``; before the first, the first."""
    found = version_in_force(QuarantinePolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no quarantine policy is configured"), field="policy")
    return found


def rules_of(version: QuarantinePolicy) -> QuarantineRules:
    try:
        return QuarantineRules.from_dict(version.params)
    except (TypeError, ValueError, KeyError) as exc:
        raise DomainError(_("quarantine policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc


def quarantine_rules(*, on: dt.date) -> QuarantineRules:
    return rules_of(quarantine_policy_in_force(on=on))
