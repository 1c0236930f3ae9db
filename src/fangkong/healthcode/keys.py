"""Signing keys of the health code: generate, rotate, publish, unlock.

One key signs at a time (the newest not retired). Rotating retires the previous key, which
stays published until every code it may have signed has expired, so gates that cached the
keys keep accepting those codes and nothing else. The private key is stored encrypted with
Fernet under a key derived (HKDF-SHA256, fixed label) from ``settings.SECRET_KEY``: a
database dump alone cannot sign codes, and changing the secret means rotating the key.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import time
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor
from fangkong.healthcode import tokens
from fangkong.healthcode.models import CodePolicy, SigningKey

KDF_LABEL = b"fangkong.healthcode.signing-key.v1"
KID_CHARS = 6
SYSTEM = Actor(user_id=None, username="system:healthcode-keys", unit=None)
RAW = serialization.Encoding.Raw
_unlocked: dict[tuple[str, str], Ed25519PrivateKey] = {}


def _fernet() -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=KDF_LABEL).derive(settings.SECRET_KEY.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _new_kid() -> str:
    while True:
        kid = secrets.token_urlsafe(KID_CHARS)[:KID_CHARS]
        if not SigningKey.objects.filter(kid=kid).exists():
            return kid


def _key_row(*, now: dt.datetime) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(RAW, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    return SigningKey.objects.create(
        kid=_new_kid(), created_at=now,
        public_key=_b64url(private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)),
        private_key=_fernet().encrypt(raw_private).decode("ascii"))


def _public_view(key: SigningKey) -> dict[str, Any]:
    return {"kid": key.kid, "public_key": key.public_key,
            "retired_at": str(key.retired_at) if key.retired_at else None}


def do_generate_key(*, now: dt.datetime | None = None, actor: Actor | None = None) -> SigningKey:
    """Create a key pair; being the newest, it signs from now on (older active keys still
    verify until retired: use :func:`do_rotate` to retire them)."""
    when = now or clock.now()
    with transaction.atomic():
        key = _key_row(now=when)
        record(actor=actor or SYSTEM, verb="healthcode.key.generate", target=key,
               after=_public_view(key))
    return key


def do_rotate(*, now: dt.datetime | None = None, actor: Actor | None = None) -> SigningKey:
    """A new key signs from now on; every older active key is retired (and stays published
    until the codes it signed have expired)."""
    when = now or clock.now()
    with transaction.atomic():
        older = list(SigningKey.objects.select_for_update().filter(retired_at__isnull=True))
        key = _key_row(now=when)
        for old in older:
            before = _public_view(old)
            old.retired_at = when
            old.save(update_fields=["retired_at"])
            record(actor=actor or SYSTEM, verb="healthcode.key.retire", target=old,
                   before=before, after=_public_view(old))
        record(actor=actor or SYSTEM, verb="healthcode.key.generate", target=key,
               after=_public_view(key))
    return key


def active_key() -> SigningKey:
    """The key that signs codes now (the newest not retired); a clear error if none."""
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first()
    if key is None:
        raise DomainError(_("no health-code signing key: run `fangkong healthcode keygen`"),
                          field="key")
    return key


def ensure_active_key(*, now: dt.datetime | None = None) -> SigningKey:
    """The active key, generated first if there is none (for the demo set-up)."""
    if not SigningKey.objects.filter(retired_at__isnull=True).exists():
        return do_generate_key(now=now)
    return active_key()


def private_key_of(key: SigningKey) -> Ed25519PrivateKey:
    """Unlock a key's private half (kept in memory once unlocked)."""
    cache_key = (key.kid, key.private_key)
    if cache_key not in _unlocked:
        try:
            raw = _fernet().decrypt(key.private_key.encode("ascii"))
        except (InvalidToken, ValueError) as exc:
            raise DomainError(_("signing key %(kid)s cannot be unlocked with this server's "
                                "secret: run `fangkong healthcode keygen --rotate`")
                              % {"kid": key.kid}, field="key") from exc
        _unlocked[cache_key] = Ed25519PrivateKey.from_private_bytes(raw)
    return _unlocked[cache_key]


def longest_token_minutes() -> int:
    """The longest token lifetime any rule version allows (how long a retired key must stay
    published); a day when no version is configured."""
    found = max((p.get("token_minutes", 0) for p in
                 CodePolicy.objects.values_list("params", flat=True)), default=0)
    return int(found) or 24 * 60


def published_keys(now: dt.datetime | None = None) -> list[SigningKey]:
    """Keys a gate must know at ``now``: the active ones and the retired ones whose codes may
    still be unexpired."""
    when = now or clock.now()
    horizon = when - dt.timedelta(minutes=longest_token_minutes())
    return [k for k in SigningKey.objects.order_by("-created_at", "-id")
            if k.retired_at is None or k.retired_at > horizon]


def keys_document(now: dt.datetime | None = None) -> dict[str, Any]:
    """The public keys JSON (``public/healthcode/keys.json`` and ``GET /keys``)."""
    when = now or clock.now()
    return {
        "format": tokens.PREFIX, "algorithm": tokens.ALGORITHM,
        "clock_skew_seconds": tokens.CLOCK_SKEW_SECONDS, "generated_at": when.isoformat(),
        "keys": [{"kid": k.kid, "algorithm": tokens.ALGORITHM, "public_key": k.public_key,
                  "valid_from": k.created_at.isoformat(),
                  "retired_at": k.retired_at.isoformat() if k.retired_at else None}
                 for k in published_keys(when)],
    }


def public_keys(now: dt.datetime | None = None) -> dict[str, tokens.PublicKey]:
    """The published keys, ready for :func:`tokens.verify_token`."""
    return tokens.public_keys_from_json(keys_document(now))



KEYS_CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, dict[str, tokens.PublicKey]]] = {}


def verifying_keys(*, refresh: bool = False) -> dict[str, tokens.PublicKey]:
    """The published keys, kept in memory for a minute so the server-side verifier does not
    query per scan (their signature objects stay loaded); ``refresh`` reloads them, which a
    caller does on an unknown kid, so a freshly rotated key is known at once."""
    stamp = time.monotonic()
    held = _cache.get("keys")
    if refresh or held is None or stamp - held[0] > KEYS_CACHE_SECONDS:
        held = _cache["keys"] = (stamp, public_keys())
    return held[1]


def verify_with_published(token: object, *, now: dt.datetime | None = None) -> tokens.Verified:
    """Server-side verification against the published keys (reloaded once on an unknown kid)."""
    when = now or clock.now()
    result = tokens.verify_token(token, public_keys=verifying_keys(), now=when)
    if result.reason == tokens.UNKNOWN_KEY:
        result = tokens.verify_token(token, public_keys=verifying_keys(refresh=True), now=when)
    return result
