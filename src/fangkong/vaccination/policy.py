"""The vaccination rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.vaccination.logic import VaccinationRules
from fangkong.vaccination.models import VaccinationPolicy


def vaccination_policy_in_force(*, on: dt.date) -> VaccinationPolicy:
    """The latest version effective on ``on``; before the first, the first."""
    found = version_in_force(VaccinationPolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no vaccination policy is configured"), field="policy")
    return found


def rules_of(version: VaccinationPolicy) -> VaccinationRules:
    try:
        return VaccinationRules.from_dict(version.params)
    except (TypeError, ValueError, KeyError) as exc:
        raise DomainError(_("vaccination policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc


def vaccination_rules(*, on: dt.date) -> VaccinationRules:
    return rules_of(vaccination_policy_in_force(on=on))


def booster_days_lookup() -> Callable[[dt.date], int | None]:
    """The booster interval in force on a date, from all versions read once (an import of
    thousands of doses asks for many dates)."""
    versions = sorted(((v.effective_from, rules_of(v).booster_after_days)
                       for v in VaccinationPolicy.objects.all()), key=lambda p: p[0])
    if not versions:
        raise DomainError(_("no vaccination policy is configured"), field="policy")

    def booster_days_on(day: dt.date) -> int | None:
        found = versions[0][1]
        for since, days in versions:
            if since <= day:
                found = days
        return found

    return booster_days_on
