"""Builders of the token tests: a stored status row (as the recompute would write it), a
signed payload, and a published keys set built from bare key pairs."""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fangkong.healthcode import tokens
from fangkong.healthcode.models import PersonCode
from fangkong.registry.models import Person

T0 = dt.datetime(2022, 4, 1, 8, 0, tzinfo=dt.UTC)


def make_code(person: Person, *, colour: str = "green", flags: tuple[str, ...] = (),
              valid_until: dt.datetime | None = None, now: dt.datetime = T0) -> PersonCode:
    """A person's stored code, Placed at their residence like the recompute places it."""
    code = PersonCode(person=person, pseudonym=secrets.token_urlsafe(12), colour=colour,
                      flags=list(flags), reasons=[], valid_until=valid_until, computed_at=now)
    code.district_id, code.street_id = person.district_id, person.street_id
    code.community_id, code.grid_id = person.community_id, person.grid_id
    code.save()
    return code


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def payload(*, kid: str = "k1abcd", pseudonym: str = "p5eudonymAbc-_12", colour: str = "green",
            flags: tuple[str, ...] = (), issued: dt.datetime = T0,
            minutes: int = 30) -> tokens.TokenPayload:
    start = tokens.epoch(issued)
    return tokens.TokenPayload(kid=kid, pseudonym=pseudonym, colour=colour, flags=flags,
                               issued_at=start, expires_at=start + minutes * 60)


def key_document(*pairs: tuple[str, Ed25519PrivateKey],
                 retired: dict[str, dt.datetime] | None = None) -> dict[str, object]:
    """A keys document like ``public/healthcode/keys.json`` for bare key pairs."""
    gone = retired or {}
    return {"format": tokens.PREFIX, "algorithm": tokens.ALGORITHM,
            "clock_skew_seconds": tokens.CLOCK_SKEW_SECONDS,
            "keys": [{"kid": kid, "algorithm": "Ed25519", "public_key": b64url(raw_public(key)),
                      "valid_from": (T0 - dt.timedelta(days=1)).isoformat(),
                      "retired_at": gone[kid].isoformat() if kid in gone else None}
                     for kid, key in pairs]}
