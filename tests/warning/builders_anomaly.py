"""Clinic visits in bulk for the anomaly tests: a street's daily counts as given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from fangkong.core import clock
from fangkong.registry.models import Venue
from fangkong.warning.models import ClinicVisit


def visits(clinic: Venue, *, last: dt.date, counts: Sequence[int], key: str = "v") -> int:
    """``counts[-1]`` visits on ``last``, ``counts[-2]`` the day before, ...; Placed at the
    clinic's grid (visitors unknown to the registry), at 10:00 city time."""
    rows = []
    first = last - dt.timedelta(days=len(counts) - 1)
    for d, n in enumerate(counts):
        at = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=d),
                                                     dt.time(10)))
        for k in range(n):
            row = ClinicVisit(clinic=clinic, visited_at=at, client_key=f"{key}-{d}-{k}",
                              recorded_at=clock.now(), name="visitor")
            row.district_id, row.street_id = clinic.district_id, clinic.street_id
            row.community_id, row.grid_id = clinic.community_id, clinic.grid_id
            rows.append(row)
    ClinicVisit.objects.bulk_create(rows)
    return len(rows)
