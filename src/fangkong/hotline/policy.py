"""The hotline rules in force on a date (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.hotline.logic import HotlineRules
from fangkong.hotline.models import HotlinePolicy


def hotline_policy_in_force(*, on: dt.date) -> HotlinePolicy:
    """The latest version effective on ``on``; before the first, the first."""
    found = version_in_force(HotlinePolicy.objects.all(), on=on)
    if found is None:
        raise DomainError(_("no hotline policy is configured"), field="policy")
    return found


def rules_of(version: HotlinePolicy) -> HotlineRules:
    try:
        return HotlineRules.from_dict(version.params)
    except (TypeError, ValueError, KeyError) as exc:
        raise DomainError(_("hotline policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc
