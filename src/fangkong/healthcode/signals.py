"""Events that change a code: a saved fact recomputes its person once the transaction commits.

Receivers are tiny: they note the person's id on the transaction's one callback, which
recomputes every noted person of the transaction as one batch after commit (a transaction touching a
household's five contacts recomputes five codes in one pass). A risk area whose level or status
changes recomputes its members in batches. Writes that bypass ``save()`` (bulk updates, the lab
results' ``UPDATE … FROM``) are caught by the sweep in ``tasks.py``. A failing recompute is
logged and never fails the write that caused it. ``paused()`` lets a bulk loader switch the
receivers off and run ``recompute.do_recompute_all`` once at the end instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.errors import DomainError

log = logging.getLogger(__name__)
_state = threading.local()


@contextmanager
def paused() -> Iterator[None]:
    """No recompute on events inside the block (this thread only)."""
    before = getattr(_state, "paused", False)
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = before


class _Flush:
    """The one callback of a transaction: the people noted while it was open."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def __call__(self) -> None:
        recompute_people(sorted(self.ids))


def recompute_soon(*person_ids: int | None) -> None:
    """Recompute these people after the current transaction commits (now, outside one).
    One callback per transaction collects them; if a rolled-back savepoint discarded it, a
    new one starts (the people noted inside the rolled-back part go with it)."""
    ids = {pk for pk in person_ids if pk is not None}
    if not ids or getattr(_state, "paused", False):
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        recompute_people(sorted(ids))
        return
    flush = getattr(_state, "flush", None)
    if flush is None or not any(f is flush for _, f, _ in connection.run_on_commit):
        flush = _state.flush = _Flush()
        transaction.on_commit(flush, robust=True)
    flush.ids.update(ids)


def recompute_people(ids: list[int], *, now: dt.datetime | None = None) -> None:
    """Recompute ``ids`` in batches, one transaction each (no policy in force: logged)."""
    from fangkong.healthcode.policy import code_policy_in_force
    from fangkong.healthcode.recompute import BATCH, recompute_ids

    now = now or clock.now()
    try:
        version = code_policy_in_force(on=timezone.localdate(now))
    except DomainError:
        log.warning("health codes not recomputed: no policy in force")
        return
    for lo in range(0, len(ids), BATCH):
        with transaction.atomic():
            recompute_ids(ids[lo:lo + BATCH], now=now, version=version)


def _person_fact(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    recompute_soon(instance.person_id)


def _scheduled_test(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: _order_person(instance.order_id), robust=True)


def _order_person(order_id: int) -> None:
    from fangkong.quarantine.models import QuarantineOrder

    recompute_soon(QuarantineOrder.objects.filter(pk=order_id)
                   .values_list("person_id", flat=True).first())


def _tube(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    """A result saved on one tube (a pool clears or holds each of its members)."""
    if instance.result:
        transaction.on_commit(lambda: _tube_people(instance.pk), robust=True)


def _tube_people(tube_id: int) -> None:
    from fangkong.testing.models import Sample

    recompute_soon(*Sample.objects.filter(tube_id=tube_id).values_list("person_id", flat=True))


def _area_before(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    instance._code_before = (sender.objects.filter(pk=instance.pk)  # type: ignore[attr-defined]
                             .values_list("level", "status").first()
                             if instance.pk is not None else None)


def _area_after(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if getattr(_state, "paused", False):
        return
    if getattr(instance, "_code_before", None) != (instance.level, instance.status):
        transaction.on_commit(lambda: _area_members(instance.pk), robust=True)


def _area_members(area_id: int) -> None:
    from fangkong.risk.models import RiskArea
    from fangkong.risk.queries import area_members

    area = RiskArea.objects.filter(pk=area_id).first()
    if area is not None:
        recompute_people(list(area_members(area).order_by("pk").values_list("pk", flat=True)))


def connect() -> None:
    """Called from the app's ``ready()``."""
    from fangkong.healthcode.models import Arrival, Override, Purchase
    from fangkong.quarantine.models import QuarantineOrder, ScheduledTest
    from fangkong.risk.models import RiskArea
    from fangkong.testing.models import Hold, Sample, Tube
    from fangkong.tracing.models import Case, Contact

    for model in (Case, Contact, QuarantineOrder, Hold, Override, Arrival, Purchase, Sample):
        post_save.connect(_person_fact, sender=model, dispatch_uid=f"healthcode.{model.__name__}")
    post_save.connect(_scheduled_test, sender=ScheduledTest, dispatch_uid="healthcode.test")
    post_save.connect(_tube, sender=Tube, dispatch_uid="healthcode.tube")
    pre_save.connect(_area_before, sender=RiskArea, dispatch_uid="healthcode.area.before")
    post_save.connect(_area_after, sender=RiskArea, dispatch_uid="healthcode.area.after")
