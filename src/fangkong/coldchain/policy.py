"""The cold-chain rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.coldchain.logic import ColdChainRules
from fangkong.coldchain.models import ColdChainPolicy
from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force


def coldchain_rules(*, on: dt.date) -> ColdChainRules:
    found = version_in_force(ColdChainPolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no cold-chain policy is configured"), field="policy")
    try:
        return ColdChainRules.from_dict(found.params)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise DomainError(_("cold-chain policy %(name)s: %(problem)s")
                          % {"name": found.name, "problem": exc}, field="params") from exc
