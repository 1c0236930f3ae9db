"""The signed health-code token: compact, pseudonymous, verifiable with no network.

Format ``FK1`` (pure: no Django here, so a gate, the CLI and the benchmarks use it alone)::

    token   = "FK1" + BASE32(payload || signature)      RFC 4648 alphabet, upper case, no '='
    payload = version   1 byte   (1)
              kid_len   1 byte   then kid       kid_len ASCII bytes   (the signing key's id)
              pse_len   1 byte   then pseudonym pse_len ASCII bytes   (PersonCode.pseudonym)
              colour    1 byte   index in COLOURS (0 green, 1 yellow, 2 red)
              flags     1 byte   bit i set = POPUPS[i] (risk_link, pool_hold, test_missing)
              issued    4 bytes  big-endian unsigned epoch seconds
              expires   4 bytes  big-endian unsigned epoch seconds
    signature = Ed25519 over the payload bytes, 64 bytes

Base32 keeps the whole token in the QR alphanumeric set (A–Z, 2–7), the densest QR mode a
phone camera and a cheap door scanner both read; a typical token is about 160 characters.
The token carries no name, ID number, phone or address: only the random pseudonym, which is
rotated without touching the person. ``verify.js`` implements the same decoding in the
browser; change both together and bump the version.

:func:`verify_token` never raises on bad input: it answers one of the ``REASONS``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fangkong.healthcode.logic import COLOURS, POPUPS

PREFIX = "FK1"
VERSION = 1
SIGNATURE_BYTES = 64
ALGORITHM = "Ed25519"
CLOCK_SKEW_SECONDS = 60  # a gate's clock may run this far behind the issuing server's
MAX_TOKEN_CHARS = 512  # far above any real token: longer input is refused unread
SAFE_TEXT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # kids and pseudonyms: url-safe ASCII

VALID = ""
MALFORMED = "malformed"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
REASONS = (MALFORMED, UNKNOWN_KEY, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID)


class MalformedToken(ValueError):
    """The text is not a token of a known format (internal: verify answers ``malformed``)."""


@dataclass(frozen=True)
class TokenPayload:
    """What a token says, all of it: no field identifies a person."""

    kid: str
    pseudonym: str
    colour: str
    flags: tuple[str, ...]
    issued_at: int  # epoch seconds
    expires_at: int  # epoch seconds
    version: int = VERSION

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "kid": self.kid, "pseudonym": self.pseudonym,
                "colour": self.colour, "flags": list(self.flags),
                "issued_at": self.issued_at, "expires_at": self.expires_at}


@dataclass(frozen=True)
class PublicKey:
    """A published verification key and the span in which it may have signed codes."""

    kid: str
    raw: bytes  # 32 bytes
    valid_from: int | None = None  # epoch seconds
    retired_at: int | None = None  # epoch seconds; codes issued later are not its

    @functools.cached_property
    def verifier(self) -> Ed25519PublicKey:
        """Loaded once per key (loading costs about as much as a verification)."""
        return Ed25519PublicKey.from_public_bytes(self.raw)

    def signed_in_span(self, issued_at: int) -> bool:
        after_start = self.valid_from is None or issued_at >= self.valid_from - CLOCK_SKEW_SECONDS
        before_end = self.retired_at is None or issued_at <= self.retired_at
        return after_start and before_end


@dataclass(frozen=True)
class Verified:
    """The answer of a verification. ``payload`` is set only when the signature checked out
    (so a stale but genuine code can still say which colour it had); ``reason`` is empty
    when valid."""

    valid: bool
    reason: str
    payload: TokenPayload | None = None


def epoch(when: dt.datetime | float | int) -> int:
    return int(when.timestamp()) if isinstance(when, dt.datetime) else int(when)


def _text(value: str, what: str) -> bytes:
    if not SAFE_TEXT.match(value):
        raise ValueError(f"{what} must be 1-64 url-safe ASCII characters: {value!r}")
    return value.encode("ascii")


def flags_to_bits(flags: Iterable[str]) -> int:
    bits = 0
    for flag in flags:
        if flag not in POPUPS:
            raise ValueError(f"unknown pop-up flag {flag!r}")
        bits |= 1 << POPUPS.index(flag)
    return bits


def bits_to_flags(bits: int) -> tuple[str, ...]:
    if bits >> len(POPUPS):
        raise MalformedToken("unknown flag bits")
    return tuple(name for i, name in enumerate(POPUPS) if bits & (1 << i))


def encode_payload(payload: TokenPayload) -> bytes:
    """The bytes that are signed (raises ValueError on a field the format cannot carry)."""
    if payload.colour not in COLOURS:
        raise ValueError(f"unknown colour {payload.colour!r}")
    if not 0 <= payload.issued_at < payload.expires_at < 2**32:
        raise ValueError("issued_at and expires_at must be epoch seconds, issued before expiry")
    kid = _text(payload.kid, "kid")
    pseudonym = _text(payload.pseudonym, "pseudonym")
    return (bytes([payload.version, len(kid)]) + kid + bytes([len(pseudonym)]) + pseudonym
            + struct.pack(">BBII", COLOURS.index(payload.colour),
                          flags_to_bits(payload.flags), payload.issued_at, payload.expires_at))


def encode_token(payload_bytes: bytes, signature: bytes) -> str:
    body = base64.b32encode(payload_bytes + signature).decode("ascii").rstrip("=")
    return PREFIX + body


def sign_token(payload: TokenPayload, key: Ed25519PrivateKey) -> str:
    """Encode and sign: the token a resident's page shows as a QR code."""
    data = encode_payload(payload)
    return encode_token(data, key.sign(data))


BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BASE32_TEXT = re.compile(r"^[A-Z2-7]*$")
TO_INT_DIGITS = str.maketrans(BASE32, "0123456789abcdefghijklmnopqrstuv")


def _unbase32(text: str) -> bytes:
    """Decode unpadded base32 in C speed (``int(.., 32)`` after mapping the alphabet); only
    the canonical text of some bytes is accepted (unused low bits zero), so no two texts
    decode to one token."""
    body = text.strip().upper()
    if not body.startswith(PREFIX) or len(body) > MAX_TOKEN_CHARS:
        raise MalformedToken("not an FK1 token")
    body = body[len(PREFIX):]
    if not body or not BASE32_TEXT.match(body):
        raise MalformedToken("not base32")
    size, spare = divmod(len(body) * 5, 8)
    value = int(body.translate(TO_INT_DIGITS), 32)
    if spare >= 5 or value & ((1 << spare) - 1):
        raise MalformedToken("not canonical base32")
    return (value >> spare).to_bytes(size, "big")


def _take_text(raw: bytes, at: int) -> tuple[str, int]:
    size = raw[at]
    chunk = raw[at + 1:at + 1 + size]
    text = chunk.decode("ascii", errors="replace")
    if len(chunk) != size or not SAFE_TEXT.match(text):
        raise MalformedToken("bad text field")
    return text, at + 1 + size


def decode_token(token: Any) -> tuple[TokenPayload, bytes, bytes]:
    """The payload, the signed bytes and the signature; raises :class:`MalformedToken`."""
    if not isinstance(token, str):
        raise MalformedToken("not text")
    raw = _unbase32(token)
    if len(raw) < SIGNATURE_BYTES + 13 or raw[0] != VERSION:
        raise MalformedToken("too short or unknown version")
    data, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    try:
        kid, at = _take_text(data, 1)
        pseudonym, at = _take_text(data, at)
        if len(data) != at + 10:
            raise MalformedToken("bad length")
        colour, bits, issued, expires = struct.unpack(">BBII", data[at:])
    except (IndexError, struct.error) as exc:
        raise MalformedToken("truncated") from exc
    if colour >= len(COLOURS) or expires <= issued:
        raise MalformedToken("bad colour or times")
    payload = TokenPayload(kid=kid, pseudonym=pseudonym, colour=COLOURS[colour],
                           flags=bits_to_flags(bits), issued_at=issued, expires_at=expires)
    return payload, data, signature


def _key_problem(payload: TokenPayload, data: bytes, signature: bytes,
                 public_keys: Mapping[str, PublicKey]) -> str:
    key = public_keys.get(payload.kid)
    if key is None:
        return UNKNOWN_KEY
    try:
        key.verifier.verify(signature, data)
    except (InvalidSignature, ValueError):
        return BAD_SIGNATURE
    if not key.signed_in_span(payload.issued_at):
        return UNKNOWN_KEY  # a retired key cannot sign new codes
    return VALID


def _time_problem(payload: TokenPayload, moment: int) -> str:
    if payload.issued_at > moment + CLOCK_SKEW_SECONDS:
        return NOT_YET_VALID
    if moment >= payload.expires_at:
        return EXPIRED
    return VALID


def verify_token(token: Any, *, public_keys: Mapping[str, PublicKey],
                 now: dt.datetime | float | int) -> Verified:
    """Check format, key, signature and time, offline; never raises on bad input."""
    try:
        payload, data, signature = decode_token(token)
    except MalformedToken:
        return Verified(False, MALFORMED)
    problem = _key_problem(payload, data, signature, public_keys)
    if problem:
        return Verified(False, problem)
    problem = _time_problem(payload, epoch(now))
    return Verified(not problem, problem, payload)


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _when(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return epoch(dt.datetime.fromisoformat(str(value)))


def public_keys_from_json(document: Mapping[str, Any]) -> dict[str, PublicKey]:
    """Parse the published keys document (``keys.json``); raises ValueError naming the key."""
    keys: dict[str, PublicKey] = {}
    for row in document.get("keys", []):
        kid = str(row.get("kid", ""))
        try:
            if row.get("algorithm", ALGORITHM) != ALGORITHM:
                raise ValueError(f"algorithm {row.get('algorithm')!r} is not {ALGORITHM}")
            raw = _b64url_decode(str(row["public_key"]))
            if len(raw) != 32:
                raise ValueError("public_key is not 32 bytes")
            keys[kid] = PublicKey(kid=kid, raw=raw, valid_from=_when(row.get("valid_from")),
                                  retired_at=_when(row.get("retired_at")))
        except (KeyError, ValueError, binascii.Error) as exc:
            raise ValueError(f"key {kid!r}: {exc}") from exc
    return keys
