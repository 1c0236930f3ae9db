"""What the gate tests share: door users, current codes, signed tokens and upload events,
built with the ORM and hc2's token format so the gate's tests start from the same place."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.models import User

from fangkong.core import clock
from fangkong.healthcode.models import PersonCode, SigningKey
from fangkong.registry.models import Person
from tests.factories import City, make_user


def gate_users(city: City) -> dict[str, User]:
    """A door device in each district's first grid, and a district officer (no gate right)."""
    d1, d2 = city.districts
    return {
        "door1": make_user("door1", unit=d1.grids[0], roles=["door_staff"]),
        "door2": make_user("door2", unit=d2.grids[0], roles=["door_staff"]),
        "officer1": make_user("officer1", unit=d1.unit, roles=["district_officer"]),
    }


def make_code(person: Person, *, colour: str = "green", flags: list[str] | None = None,
              pseudonym: str | None = None) -> PersonCode:
    code = PersonCode(person=person, pseudonym=pseudonym or secrets.token_urlsafe(12),
                      colour=colour, flags=flags or [], reasons=[], computed_at=clock.now())
    code.district_id, code.street_id = person.district_id, person.street_id
    code.community_id, code.grid_id = person.community_id, person.grid_id
    code.save()
    return code


def event(key: str, *, pseudonym: str = "abc", colour: str = "green", result: str = "pass",
          reason: str = "green", at: dt.datetime | None = None,
          temperature: Any = None) -> dict[str, Any]:
    return {"client_key": key, "scanned_at": (at or clock.now()).isoformat(),
            "pseudonym": pseudonym, "colour": colour, "result": result, "reason": reason,
            "temperature": temperature}


def signed_token(code: PersonCode, key: SigningKey, *, now: dt.datetime | None = None,
                 minutes: int = 30, colour: str | None = None) -> str:
    """A token as the resident's page shows it (hc2's FK1 format, signed with ``key``)."""
    from fangkong.healthcode.keys import private_key_of
    from fangkong.healthcode.tokens import TokenPayload, epoch, sign_token

    issued = epoch(now or clock.now())
    payload = TokenPayload(kid=key.kid, pseudonym=code.pseudonym, colour=colour or code.colour,
                           flags=tuple(code.flags), issued_at=issued,
                           expires_at=issued + minutes * 60)
    return sign_token(payload, private_key_of(key))
