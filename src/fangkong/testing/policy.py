"""The screening guidance in force on a date: the dated ``ScreeningPolicy`` version and the
planner's numbers it implies (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.testing.logic import PlanPolicy
from fangkong.testing.models import Campaign, ScreeningPolicy


def policy_in_force(*, on: dt.date) -> ScreeningPolicy:
    """The latest version effective on ``on``; before the first, the first; with none at
    all, an unsaved version of the defaults."""
    found = version_in_force(ScreeningPolicy.objects.all(), on=on)
    return found or ScreeningPolicy(name="defaults", effective_from=on, params={})


def plan_policy(*, on: dt.date) -> PlanPolicy:
    return _build(policy_in_force(on=on))


def campaign_policy(campaign: Campaign) -> PlanPolicy:
    """The version the campaign was planned under, else the one in force on its start."""
    from django.utils import timezone

    version = campaign.policy or policy_in_force(on=timezone.localdate(campaign.starts_at))
    return _build(version)


def _build(version: ScreeningPolicy) -> PlanPolicy:
    try:
        return PlanPolicy.from_dict(version.params)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("screening policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="params") from exc
