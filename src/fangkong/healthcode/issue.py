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
from typing import Any

from django.core.cache import cache
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


def current_code(*, person_id: int, now: dt.datetime, known: PersonCode | None = None
                 ) -> PersonCode:
    """The stored status, recomputed first when missing or past its ``valid_until``;
    ``known`` is the row when the caller read it already (the resident page reads the person
    and the code in one query)."""
    code = known if known is not None else (
        PersonCode.objects.filter(person_id=person_id).first())
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


def do_issue_code(*, person_id: int, now: dt.datetime | None = None,
                  known: PersonCode | None = None) -> IssuedCode:
    """Sign the person's current status. Raises DomainError when no key or no policy is
    configured, NotFound-like errors of the recompute for an unknown person. A token signed
    for the same status and key is handed out again while more than half its life is left
    (the page refreshes often; signing and drawing a QR code each time cost 20 times a bare
    answer, docs/performance.md)."""
    when = now or clock.now()
    key = active_key()
    code = current_code(person_id=person_id, now=when, known=known)
    flags = tokens.bits_to_flags(tokens.flags_to_bits(code.flags))
    reused = _reusable(person_id, key.kid, code, flags, when)
    if reused is not None:
        return IssuedCode(token=reused[0], payload=reused[1], code=code)
    issued, expires = token_span(code=code, now=when)
    payload = tokens.TokenPayload(kid=key.kid, pseudonym=code.pseudonym, colour=code.colour,
                                  flags=flags, issued_at=issued, expires_at=expires)
    token = tokens.sign_token(payload, private_key_of(key))
    cache.set(_cache_key(person_id), (token, payload), timeout=max(1, expires - issued))
    return IssuedCode(token=token, payload=payload, code=code)


def _cache_key(person_id: int) -> str:
    return f"healthcode:token:{person_id}"


def _reusable(person_id: int, kid: str, code: PersonCode, flags: Any,
              now: dt.datetime) -> tuple[str, tokens.TokenPayload] | None:
    found = cache.get(_cache_key(person_id))
    if found is None:
        return None
    token, payload = found
    same = (payload.kid, payload.pseudonym, payload.colour, payload.flags) == (
        kid, code.pseudonym, code.colour, flags)
    at = tokens.epoch(now)
    fresh = payload.issued_at <= at and (payload.expires_at - at) * 2 > (
        payload.expires_at - payload.issued_at)
    return (token, payload) if same and fresh else None
