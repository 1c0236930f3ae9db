"""Issuing a person's signed code: read the stored status, sign it with the active key.

Issuing recomputes nothing when the stored status is current: it is the hot path of the
resident page (a fresh code every ``token_minutes``), so it reads one row and signs. Only a
missing row, or one whose ``valid_until`` has passed, is recomputed first. Issuing changes
no data and is not audited (the recompute it may trigger audits itself if it does). The code
never outlives its status: it expires at ``valid_until`` when that comes first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from fangkong.core import clock
from fangkong.healthcode import tokens
from fangkong.healthcode.keys import active_key, private_key_of
from fangkong.healthcode.models import PersonCode
from fangkong.healthcode.policy import code_rules


@dataclass(frozen=True)
class IssuedCode:
    """A signed token and what it says (``code`` is the stored status it was signed from)."""

    token: str
    payload: tokens.TokenPayload
    code: PersonCode

    @property
    def issued_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.payload.issued_at, tz=dt.UTC)

    @property
    def expires_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.payload.expires_at, tz=dt.UTC)


def current_code(*, person_id: int, now: dt.datetime) -> PersonCode:
    """The stored status, recomputed first when missing or past its ``valid_until``."""
    code = PersonCode.objects.filter(person_id=person_id).first()
    if code is None or (code.valid_until is not None and code.valid_until <= now):
        from fangkong.healthcode.recompute import do_recompute_person

        code = do_recompute_person(person_id=person_id, now=now)
    return code


def token_span(*, code: PersonCode, now: dt.datetime) -> tuple[int, int]:
    """Issued and expiry epoch seconds: the version's ``token_minutes``, capped at the
    moment the status changes by itself."""
    issued = tokens.epoch(now)
    minutes = code_rules(on=timezone.localdate(now)).token_minutes
    expires = issued + minutes * 60
    if code.valid_until is not None and tokens.epoch(code.valid_until) > issued:
        expires = min(expires, tokens.epoch(code.valid_until))
    return issued, expires


def do_issue_code(*, person_id: int, now: dt.datetime | None = None) -> IssuedCode:
    """Sign the person's current status. Raises DomainError when no key or no policy is
    configured, NotFound-like errors of the recompute for an unknown person."""
    when = now or clock.now()
    key = active_key()
    code = current_code(person_id=person_id, now=when)
    issued, expires = token_span(code=code, now=when)
    payload = tokens.TokenPayload(kid=key.kid, pseudonym=code.pseudonym, colour=code.colour,
                                  flags=tokens.bits_to_flags(tokens.flags_to_bits(code.flags)),
                                  issued_at=issued, expires_at=expires)
    return IssuedCode(token=tokens.sign_token(payload, private_key_of(key)), payload=payload,
                      code=code)
