"""Builders of the resident-side tests: a signing key, a manual override that colours a
person, a venue check-in item, and staff of each district."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.healthcode.checkins import venue_token
from fangkong.healthcode.keys import ensure_active_key
from fangkong.healthcode.models import Override
from fangkong.registry.models import Person, Venue
from tests.factories import City, make_user


def with_key() -> None:
    ensure_active_key()


def make_override(person: Person, *, colour: str = "red", days: int = 3) -> Override:
    """A manual colour as the approved change writes it (the engine shows it as a reason)."""
    now = clock.now()
    row = Override(person=person, colour=colour, reason="test", set_at=now - dt.timedelta(hours=1),
                   expires_at=now + dt.timedelta(days=days))
    row.district_id, row.street_id = person.district_id, person.street_id
    row.community_id, row.grid_id = person.community_id, person.grid_id
    row.save()
    return row


def item(venue: Venue, *, ago: dt.timedelta = dt.timedelta(minutes=5), key: str = "",
         token: str | None = None) -> dict[str, Any]:
    return {"venue_token": venue_token(venue) if token is None else token,
            "ts": (clock.now() - ago).isoformat(), "client_key": key or secrets.token_hex(8)}


def staff(city: City, district: int, *, roles: tuple[str, ...] = ("district_officer",),
          name: str = "") -> Actor:
    username = name or f"staff{district}-{'-'.join(roles)}"
    user = User.objects.filter(username=username).first() or make_user(
        username, unit=city.districts[district].unit, roles=list(roles))
    return actor_for(User.objects.get(pk=user.pk))
