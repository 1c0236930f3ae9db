"""The tracing rules in force on a date: the dated ``TracingPolicy`` version and the contact
engine's settings it implies (rules are data, not constants)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError
from fangkong.core.versions import version_in_force
from fangkong.tracing.engine.base import ContactPolicy, infectious_start
from fangkong.tracing.models import Case, TracingPolicy


def policy_in_force(*, on: dt.date) -> TracingPolicy:
    """The latest version effective on ``on``; before the first version, the first one (the
    earliest rules known); with no versions at all, an unsaved version of the defaults."""
    found = version_in_force(TracingPolicy.objects.all(), on=on)
    return found or TracingPolicy(name="defaults", effective_from=on, contact={})


def contact_policy(*, on: dt.date) -> ContactPolicy:
    """The engine's defaults, overridden by the version in force; the city's time zone."""
    version = policy_in_force(on=on)
    try:
        return ContactPolicy.from_dict({**version.contact, "timezone": settings.TIME_ZONE})
    except (TypeError, ValueError) as exc:
        raise DomainError(_("tracing policy %(name)s: %(problem)s")
                          % {"name": version.name, "problem": exc}, field="contact") from exc


def escalation_hours(*, on: dt.date) -> int:
    return int(policy_in_force(on=on).escalate_unlocated_hours)


def infectious_window(*, case: Case, as_of: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Contact rule 1 for ``case``: from (onset or sample) − N days, 00:00 local, until
    isolation, or ``as_of`` while not isolated (may be empty: end ≤ start)."""
    policy = contact_policy(on=case.sample_date)
    start = infectious_start(onset=case.onset_date, sample=case.sample_date, policy=policy)
    return start, case.isolated_at or as_of
