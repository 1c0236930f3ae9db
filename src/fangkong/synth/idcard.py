"""PRC resident ID numbers (GB 11643-1999) and phone numbers, vectorised.

Kept separate so the checksum can be property-tested and reused by validators.
"""

from __future__ import annotations

import numpy as np

WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
CHECK_CHARS = "10X98765432"
_EPOCH = np.datetime64("1970-01-01", "D")


def check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(body17) != 17 or not body17.isdigit():
        raise ValueError(f"ID body must be 17 digits, got {body17!r}")
    total = sum(int(c) * int(w) for c, w in zip(body17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def is_valid(id_number: str) -> bool:
    """True when an 18-character ID number has a correct check character."""
    return (
        len(id_number) == 18
        and id_number[:17].isdigit()
        and check_char(id_number[:17]) == id_number[17].upper()
    )


def make_ids(area: np.ndarray, birth_days: np.ndarray, seq: np.ndarray) -> list[str]:
    """Build ID numbers from area codes (int, 6 digits), birth dates (days since epoch) and
    3-digit sequence numbers (odd for men, even for women)."""
    ymd = (birth_days.astype("datetime64[D]")).astype(str)  # 'YYYY-MM-DD'
    ymd_int = np.char.replace(ymd, "-", "").astype(np.int64)
    body = area.astype(np.int64) * 10**11 + ymd_int * 1000 + seq.astype(np.int64)
    digits = (body[:, None] // (10 ** np.arange(16, -1, -1, dtype=np.int64))) % 10
    checks = np.array(list(CHECK_CHARS))[(digits @ WEIGHTS) % 11]
    return [f"{b:017d}{c}" for b, c in zip(body.tolist(), checks.tolist(), strict=True)]


PHONE_PREFIXES = np.array(
    [138, 139, 137, 136, 135, 150, 151, 152, 158, 159, 186, 187, 188, 133, 153, 180,
     181, 189, 130, 131, 132, 155, 156, 176, 177, 199, 198, 166, 173, 183],
    dtype=np.int64,
)
_PHONE_MULT = 48_271_453  # coprime with 10**8, so the suffix map is a bijection


def make_phones(person_ids: np.ndarray, prefix_idx: np.ndarray, salt: int) -> np.ndarray:
    """Unique 11-digit phone numbers: a 3-digit carrier prefix plus an affine bijection of
    the person id modulo 10**8, so no two persons (< 10**8) can share a number."""
    suffix = (person_ids.astype(np.int64) * _PHONE_MULT + salt) % 10**8
    return PHONE_PREFIXES[prefix_idx] * 10**8 + suffix
