"""Pure rules of the registry (no Django): ID-card numbers, phones, search terms."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_MASKED = re.compile(r"^(\d{0,6})\*+(\d{3}[\dXx])$")


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a PRC resident ID (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-character resident ID, or None if it is."""
    if len(value) != 18 or not value[:17].isdigit():
        return "must be 17 digits and a check character"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "contains an impossible birth date"
    if value[17].upper() != id_check_char(value[:17]):
        return "check character does not match"
    return None


def phone_problem(value: str) -> str | None:
    return None if _PHONE.match(value) else "must be an 11-digit mobile number starting 13–19"


def classify_search(term: str) -> tuple[str, str]:
    """Decide how to search: full ID, full phone, a number as shown masked
    (``610***********123X``, ``138****5678``: value ``prefix:last4``), last four digits, or a
    name prefix."""
    term = term.strip()
    if len(term) == 18 and term[:17].isdigit():
        return "id_number", term.upper()
    if _PHONE.match(term):
        return "phone", term
    masked = _MASKED.match(term)
    if masked and masked.group(1) and len(term) in (11, 18):
        kind = "masked_id" if len(term) == 18 else "masked_phone"
        return kind, f"{masked.group(1)}:{masked.group(2).upper()}"
    tail = term.lstrip("*")
    if len(tail) == 4 and (tail[:3].isdigit() and (tail[3].isdigit() or tail[3] in "xX")):
        return "last4", tail.upper()
    return "name", term
