"""The rows of the dashboard's issue-11 figures: supply alerts, positive cold-chain samples and
the vaccination of the elderly, read from those modules' own tables and definitions (so a
figure here cannot drift from the module's page: ``vaccination.coverage`` defines who is a
resident, who is elderly on a day and when a primary series is complete).

The vaccination figures are *state* metrics with history: the elderly on a day are those of the
policy's elderly age on that day, vaccinated when a dose given by that day (``given_on``, a
date, compared with the day itself) completes their series. Both are grouped by the person's
own street, as ``coverage.elderly_by_street`` is, so the pair is a share of the same people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from fangkong.coldchain.models import PositiveSample
from fangkong.command.metrics import Window, on_day, open_at
from fangkong.core.errors import DomainError
from fangkong.registry.models import Person
from fangkong.supplies.models import SupplyAlert
from fangkong.vaccination import logic as vaccination_logic
from fangkong.vaccination.coverage import in_bands_q, resident_q
from fangkong.vaccination.models import Dose
from fangkong.vaccination.policy import vaccination_rules


def supply_alerts_open(w: Window) -> QuerySet[SupplyAlert]:
    return SupplyAlert.objects.filter(open_at(w, created="found_at", closed="closed_at"))


def supply_alerts_new(w: Window) -> QuerySet[SupplyAlert]:
    """Open at ``at`` and not acknowledged by then: nobody has taken it up yet."""
    return supply_alerts_open(w).filter(Q(acknowledged_at__isnull=True)
                                        | Q(acknowledged_at__gt=w.at))


def coldchain_positive(w: Window) -> QuerySet[PositiveSample]:
    return PositiveSample.objects.filter(on_day("sampled_at", w))


def elderly_q(day: dt.date) -> Q | None:
    """Residents of the elderly age on ``day`` (the vaccination policy in force then); None
    when no vaccination policy is configured (then nobody is counted, nothing is invented)."""
    try:
        rules = vaccination_rules(on=day)
    except DomainError:
        return None
    return resident_q() & in_bands_q(rules.elderly_bands, on=day)


def elderly_residents(w: Window) -> QuerySet[Person]:
    where = elderly_q(w.day)
    return Person.objects.none() if where is None else Person.objects.filter(where)


def elderly_vaccinated(w: Window) -> QuerySet[Dose]:
    """Doses that completed the primary series (or boosted) by the day, of today's elderly;
    counted by distinct person (``distinct_people``), so two such doses count once."""
    return Dose.objects.filter(
        counts_as__gte=vaccination_logic.FULL, given_on__lte=w.day,
        person__in=elderly_residents(w).values("pk"))


def distinct_people() -> Any:
    return Count("person_id", distinct=True)
