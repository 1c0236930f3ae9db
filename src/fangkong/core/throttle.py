"""Login throttling: too many failures for one user name or one address lock it out a while."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from fangkong.core import clock
from fangkong.core.jurisdiction import client_ip
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


class ThrottledModelBackend(ModelBackend):
    """Django's password check with the same throttle on every login path (the admin's login
    form, ``django.contrib.auth.authenticate`` anywhere). A locked-out name or address is
    refused before its password is looked at, with the same answer as a wrong password, so
    the lockout tells nothing about whether the user exists.

    The web login page (web/views.py) counts and explains its own failures; on it this
    backend only checks the password, so one failure is not counted twice."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        kwargs.update(username=username, password=password)
        if request is None or _counts_itself(request) or not username:
            return super().authenticate(request, **kwargs)
        ip = client_ip(request)
        if is_locked_out(username=username, ip=ip):
            raise PermissionDenied("locked out")  # authenticate() then answers None
        user = super().authenticate(request, **kwargs)
        if user is None:
            note_failure(username=username, ip=ip)
        else:
            clear_failures(username=username)
        return user


def _counts_itself(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name == "login"
