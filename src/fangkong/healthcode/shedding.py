"""Load shedding for the write endpoints of gates and venue check-ins.

Xi'an's 一码通 fell over at more than ten times its peak: requests queued behind a saturated
database until every worker was stuck, and clients retried into the pile (china-practice.md
§10). Here each process admits at most a limit of guarded requests at a time; one more is
answered at once with **503**, a ``Retry-After`` header and a JSON body, before anything reads
the session or the database. Gate and check-in clients keep such events queued and send them
again later (with backoff), so shedding loses nothing; gates go on verifying codes offline.

The limit is ``HEALTHCODE_MAX_IN_FLIGHT`` when set above 0, else derived from the server's
threads (``fangkong serve --threads`` tells this module): a quarter of them, at least two, stay
free, so a refusal or any other page always finds a thread. A limit at or above the threads
never fires: the excess waits in the server's queue instead of being refused.

A refusal is not an error of the server, so it is not logged one by one (Django would log each
503 as an ERROR line: under a flood of resends that is thousands of lines a second through one
handler lock, and a log pipe that cannot keep up then blocks every thread, the stall measured
in docs/performance.md); one WARNING per ``SUMMARY_EVERY_S`` counts them instead.

Wrap a Django view with ``@shed_load`` (outermost), a ninja operation with
``@decorate_view(shed_load)`` (it wraps the operation before authentication runs).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

DEFAULT_THREADS = 8  # waitress's and ``fangkong serve``'s default, when no server told us
DEFAULT_RETRY_AFTER_S = 5
SUMMARY_EVERY_S = 60.0

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
logger = logging.getLogger(__name__)


def limit_for_threads(threads: int) -> int:
    """Guarded requests one process admits when it serves with ``threads`` threads."""
    return max(1, threads - max(2, threads // 4))


class InFlightGuard:
    """Counts the guarded requests this process is serving; refuses one beyond the limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.shed_total = 0  # refused since the process started (benchmarks read it)
        self.server_threads = DEFAULT_THREADS
        self._unreported = 0
        self._reported_at: float | None = None  # the first refusal is reported at once

    def limit(self) -> int:
        explicit = int(getattr(settings, "HEALTHCODE_MAX_IN_FLIGHT", 0) or 0)
        return max(1, explicit) if explicit > 0 else limit_for_threads(self.server_threads)

    def try_enter(self) -> bool:
        report = None
        with self._lock:
            admitted = self.in_flight < self.limit()
            if admitted:
                self.in_flight += 1
            else:
                self.shed_total += 1
                self._unreported += 1
                report = self._due_report()
        if report is not None:
            self._log(*report)
        return admitted

    def _due_report(self) -> tuple[int, float | None] | None:
        """(refusals, seconds since the last report or None for the first) when a report is
        due, at most once per ``SUMMARY_EVERY_S``; called under the lock."""
        now = time.monotonic()
        last = self._reported_at
        if last is not None and now - last < SUMMARY_EVERY_S:
            return None
        count, self._unreported, self._reported_at = self._unreported, 0, now
        return count, None if last is None else now - last

    def _log(self, count: int, seconds: float | None) -> None:
        if seconds is None:
            logger.warning("load shedding: started answering 503 (at most %d in flight per "
                           "process); counts follow at most once a minute", self.limit())
        else:
            logger.warning("load shedding: %d request(s) answered 503 in the last %.0f s (at "
                           "most %d in flight per process)", count, seconds, self.limit())

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


GUARD = InFlightGuard()


def serve_with_threads(threads: int) -> int:
    """Called by ``fangkong serve``: derive the limit from its threads; the limit in force."""
    GUARD.server_threads = max(1, threads)
    return GUARD.limit()


def overloaded() -> JsonResponse:
    """The answer to a shed request: nothing was done, send it again after ``retry_after``."""
    retry = int(getattr(settings, "HEALTHCODE_RETRY_AFTER_S", DEFAULT_RETRY_AFTER_S))
    response = JsonResponse(
        {"detail": _("The server is busy. Nothing was stored; keep the events and send them "
                     "again later."),
         "code": "overloaded", "retry_after": retry},
        status=503)
    response._has_been_logged = True  # type: ignore[attr-defined]  # counted, not logged
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
