"""The health-code rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.healthcode.logic import CodeRules
from fangkong.healthcode.models import CodePolicy


def code_policy_in_force(*, on: dt.date) -> CodePolicy:
    found = version_in_force(CodePolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no health-code policy is configured"), field="policy")
    return found


def rules_of(version: CodePolicy) -> CodeRules:
    try:
        return CodeRules.from_dict(version.params)
    except (TypeError, ValueError, KeyError) as exc:
        raise DomainError(_("health-code policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc


def code_rules(*, on: dt.date) -> CodeRules:
    return rules_of(code_policy_in_force(on=on))
