"""Health-code tokens API: server-side verification for door devices that cannot run
``verify.js``, and the published keys (the same JSON as ``public/healthcode/keys.json``).
An invalid code is an answer (200, ``valid: false`` with the reason), not an error."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from fangkong.api import requires
from fangkong.core import clock
from fangkong.core.rights import Right
from fangkong.healthcode import keys, tokens

router = Router()


class VerifyIn(Schema):
    token: str = Field(..., max_length=tokens.MAX_TOKEN_CHARS)


class VerifyOut(Schema):
    valid: bool
    reason: str  # "" when valid, else one of tokens.REASONS
    colour: str | None = None
    flags: list[str] = []
    pseudonym: str | None = None
    kid: str | None = None
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    @staticmethod
    def of(result: tokens.Verified) -> "VerifyOut":
        p = result.payload
        if p is None:
            return VerifyOut(valid=result.valid, reason=result.reason)
        return VerifyOut(valid=result.valid, reason=result.reason, colour=p.colour,
                         flags=list(p.flags), pseudonym=p.pseudonym, kid=p.kid,
                         issued_at=dt.datetime.fromtimestamp(p.issued_at, tz=dt.UTC),
                         expires_at=dt.datetime.fromtimestamp(p.expires_at, tz=dt.UTC))


@router.post("/tokens/verify", response=VerifyOut)
@requires(Right.HEALTHCODE_GATE)
def verify_code(request: HttpRequest, body: VerifyIn) -> VerifyOut:
    """Verify a scanned code against the published keys (signature, key span, expiry)."""
    return VerifyOut.of(keys.verify_with_published(body.token, now=clock.now()))


@router.get("/keys", response=dict[str, Any])
@requires(Right.HEALTHCODE_GATE)
def published_keys(request: HttpRequest) -> dict[str, Any]:
    """The keys a gate caches to verify offline (active and recently retired)."""
    return keys.keys_document()
