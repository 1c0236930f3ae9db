"""Small, typed readers for ``FANGKONG_*`` environment variables."""

from __future__ import annotations

import os
import secrets


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default) or default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks dropped."""
    raw = os.environ.get(name)
    if raw in (None, ""):
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_from_env(name: str) -> tuple[str, bool]:
    """The secret in ``name``, or a random one for this process alone (and False), so no
    usable secret is ever written in the code; core/checks.py fails ``check --deploy`` then."""
    raw = os.environ.get(name, "").strip()
    if raw:
        return raw, True
    return secrets.token_urlsafe(48), False
