"""Load shedding for the write endpoints of gates and venue check-ins.

Xi'an's 一码通 fell over at more than ten times its peak: requests queued behind a saturated
database until every worker was stuck, and clients retried into the pile (china-practice.md
§10). Here each process admits at most ``HEALTHCODE_MAX_IN_FLIGHT`` guarded requests at a time
(a setting; default 16, about what one process's database connections serve); one more is
answered at once with **503**, a ``Retry-After`` header and a JSON body, before anything reads
the session or the database. Gate and check-in clients keep such events queued and send them
again later (with backoff), so shedding loses nothing; gates go on verifying codes offline.

Wrap a Django view with ``@shed_load`` (outermost), a ninja operation with
``@decorate_view(shed_load)`` (it wraps the operation before authentication runs).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

DEFAULT_MAX_IN_FLIGHT = 16  # above the 8 server threads: below them it hung (performance.md)
DEFAULT_RETRY_AFTER_S = 5

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class InFlightGuard:
    """Counts the guarded requests this process is serving; refuses one beyond the limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.shed_total = 0  # refused since the process started (benchmarks read it)

    @staticmethod
    def limit() -> int:
        return max(1, int(getattr(settings, "HEALTHCODE_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT)))

    def try_enter(self) -> bool:
        with self._lock:
            if self.in_flight >= self.limit():
                self.shed_total += 1
                return False
            self.in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


GUARD = InFlightGuard()


def overloaded() -> JsonResponse:
    """The answer to a shed request: nothing was done, send it again after ``retry_after``."""
    retry = int(getattr(settings, "HEALTHCODE_RETRY_AFTER_S", DEFAULT_RETRY_AFTER_S))
    response = JsonResponse(
        {"detail": _("The server is busy. Nothing was stored; keep the events and send them "
                     "again later."),
         "code": "overloaded", "retry_after": retry},
        status=503)
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response


def shed_load(view: View) -> View:
    """Admit the request if this process has a free slot, else answer 503 immediately."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not GUARD.try_enter():
            return overloaded()
        try:
            return view(request, *args, **kwargs)
        finally:
            GUARD.leave()

    return cast(View, guarded)
