"""Login throttling: too many failures for one user name or one address lock it out a while."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from fangkong.core import clock
from fangkong.core.models import LoginFailure


def is_locked_out(*, username: str, ip: str | None) -> bool:
    since = clock.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    # An office behind one NAT shares an address, so the per-address limit is looser.
    return bool(ip) and recent.filter(ip=ip).count() >= 4 * settings.LOGIN_MAX_FAILURES


def note_failure(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower(), ip=ip, at=clock.now())


def clear_failures(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
