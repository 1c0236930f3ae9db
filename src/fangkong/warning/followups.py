"""Opening a follow-up for the grid: every early-warning source calls this one function, so
the grid's list has one shape and a source row never opens two (idempotent on (kind, source))."""

from __future__ import annotations

import datetime as dt

from fangkong.core.models import AdminUnit
from fangkong.registry.models import Person
from fangkong.warning.models import FollowUp


def open_follow_up(*, kind: str, source_id: int, person: Person | None, place: AdminUnit | None,
                   summary: str, now: dt.datetime, due_in: dt.timedelta) -> FollowUp:
    """Call inside the caller's transaction (its audit row covers this). Placed at the
    person's residence if known, else at ``place``; an existing one is returned unchanged."""
    found = FollowUp.objects.filter(kind=kind, source_id=source_id).first()
    if found is not None:
        return found
    row = FollowUp(kind=kind, source_id=source_id, person=person, summary=summary[:200],
                   created_at=now, due_at=now + due_in)
    if person is not None:
        row.district_id, row.street_id = person.district_id, person.street_id
        row.community_id, row.grid_id = person.community_id, person.grid_id
    elif place is not None:
        row.place_in(place)
    row.save()
    return row
