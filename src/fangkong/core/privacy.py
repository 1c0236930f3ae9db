"""Masking of ID-card and phone numbers, and the audited full read."""

from __future__ import annotations

from typing import Any

from fangkong.core.audit import record
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right


def mask_id_number(value: str) -> str:
    """``110101199001011234`` → ``110***********1234``: area prefix and last four stay."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def reveal(*, actor: Actor, target: Any, fields: dict[str, str]) -> dict[str, str]:
    """Return ``fields`` in full to an actor with PII_VIEW, auditing the read; the caller has
    already fetched ``target`` through the scoping function."""
    actor.require(Right.PII_VIEW)
    record(actor=actor, verb="pii.read", target=target, after={"fields": sorted(fields)})
    return dict(fields)
