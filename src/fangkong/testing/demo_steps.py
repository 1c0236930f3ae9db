"""The steps of a demo round, each one of the platform's actions run at a simulated time:
the table's batches, boxes carried to a lab, and the lab's results.

The demo tells a story that began yesterday, so each action runs with :func:`at` moving
``core.clock`` (the one place that reads the time, as the tests move it) to the moment it
happens in the story; the actions then stamp audit rows, seals, receipts and results with
that moment. Nothing is written around the actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.registry.models import Person
from fangkong.testing import actions_lab, results
from fangkong.testing.actions_sampling import Batch, Event
from fangkong.testing.ingest import store_batch
from fangkong.testing.models import Site, Tube

TUBES_PER_BATCH = 10  # a device uploads after every ten tubes
UNSEALED = dt.datetime.min.replace(tzinfo=dt.UTC)  # until ``_seal`` sets the time
COURIERS = ("王师傅", "李师傅", "张师傅", "刘师傅")


@contextmanager
def at(when: dt.datetime) -> Iterator[None]:
    """Run the enclosed actions as if it were ``when`` (single-threaded start-up only)."""
    real = clock.now
    clock.now = lambda: when  # type: ignore[assignment]
    try:
        yield
    finally:
        clock.now = real  # type: ignore[assignment]


@dataclass
class Swab:
    """One person at a table: when, through which lane."""

    person: Person
    at: dt.datetime
    channel: str


@dataclass
class FilledTube:
    code: str
    swabs: list[Swab]
    sealed_at: dt.datetime = UNSEALED


@dataclass
class SiteWork:
    """What a site's tables did: its tubes in the order they were sealed."""

    site: Site
    tubes: list[FilledTube] = field(default_factory=list)
    boxed: set[str] = field(default_factory=set)


def _seal(tube: FilledTube, pickups: list[dt.datetime]) -> None:
    """Sealed when full, or just before the courier comes (a tube never waits a run)."""
    last = tube.swabs[-1].at
    due = next((p for p in pickups if p > last), None)
    tube.sealed_at = min(last + dt.timedelta(seconds=20),
                         due - dt.timedelta(minutes=1) if due else last + dt.timedelta(hours=1))


def fill_tubes(site: Site, swabs: list[Swab], *, codes: tuple[list[str], list[str]],
               single_pks: set[int], size: int, pickups: list[dt.datetime]) -> SiteWork:
    """Deal the site's swabs (in time order) into its pooled tubes ``size`` at a time, a new
    tube after each courier pickup, and the single-tube residents into single tubes."""
    work = SiteWork(site=site)
    pooled_it, single_it = iter(codes[0]), iter(codes[1])
    current: FilledTube | None = None
    for swab in sorted(swabs, key=lambda s: s.at):
        if swab.person.pk in single_pks:
            work.tubes.append(FilledTube(next(single_it), [swab]))
            continue
        if current is None or len(current.swabs) >= size or any(
                current.swabs[0].at < p <= swab.at for p in pickups):
            current = FilledTube(next(pooled_it), [])
            work.tubes.append(current)
        current.swabs.append(swab)
    for tube in work.tubes:
        _seal(tube, pickups)
    work.tubes.sort(key=lambda t: t.sealed_at)
    return work


def send_batches(*, actor: Actor, work: SiteWork, key: str, device: str) -> int:
    """Upload the site's tubes ten at a time, each batch when its last tube was sealed."""
    accepted = 0
    for first in range(0, len(work.tubes), TUBES_PER_BATCH):
        chunk = work.tubes[first:first + TUBES_PER_BATCH]
        events: list[Event] = []
        for tube in chunk:
            events.append(Event(type="open", tube=tube.code, at=tube.swabs[0].at))
            events += [Event(type="scan", tube=tube.code, at=s.at, channel=s.channel,
                             id_number=s.person.id_number or "") for s in tube.swabs]
            events.append(Event(type="seal", tube=tube.code, at=tube.sealed_at))
        batch = Batch(client_key=f"{key}-{work.site.code}-{first:05d}",
                      campaign_id=work.site.campaign_id, site_id=work.site.pk,
                      device=device, events=events)
        with at(max(t.sealed_at for t in chunk) + dt.timedelta(minutes=2)):
            answer = store_batch(actor=actor, batch=batch)
        accepted += answer["accepted"]
    return accepted


def carry(*, sampler: Actor, lab: Actor | None, site: Site, code: str, tubes: list[str],
          sealed_at: dt.datetime, received_at: dt.datetime | None) -> int:
    """A box of the site's sealed tubes: made, filled, sealed and handed to a courier at
    ``sealed_at``; received by its lab at ``received_at`` (None: still on the road)."""
    with at(sealed_at):
        box = actions_lab.do_create_box(actor=sampler, site_id=site.pk, code=code)
        actions_lab.do_box_tubes(actor=sampler, box_id=box.pk, codes=tubes)
        actions_lab.do_seal_box(actor=sampler, box_id=box.pk)
    with at(sealed_at + dt.timedelta(minutes=5)):
        actions_lab.do_hand_over(actor=sampler, box_id=box.pk,
                                 courier=COURIERS[box.pk % len(COURIERS)])
    if received_at is None:
        return 0
    assert lab is not None
    with at(received_at):
        return actions_lab.do_receive_box(actor=lab, box_id=box.pk).tubes


def carry_site(*, sampler: Actor, lab: Actor | None, work: SiteWork, key: str,
               windows: list[tuple[dt.datetime, dt.datetime | None]], per_box: int,
               first: int = 1) -> int:
    """Box the site's tubes by pickup: each pickup takes the tubes sealed before it and not
    boxed yet, ``per_box`` at a time; a window's receipt may be None (still on the road).
    ``first`` numbers the first window's boxes."""
    received = 0
    for n, (pickup, receipt) in enumerate(windows, start=first):
        ready = [t for t in work.tubes if t.code not in work.boxed
                 and t.sealed_at <= pickup]
        work.boxed |= {t.code for t in ready}
        for b in range(0, len(ready), per_box):
            codes = [t.code for t in ready[b:b + per_box]]
            received += carry(sampler=sampler, lab=lab, site=work.site,
                              code=f"{key}-{work.site.code}-B{n}{b // per_box or ''}",
                              tubes=codes, sealed_at=pickup, received_at=receipt)
    return received


def report(*, lab: Actor, lab_id: int, key: str, outcome: dict[str, str],
           when: dt.datetime) -> dict[str, Any]:
    """The lab's result file for the tubes in ``outcome`` (code → result), imported at
    ``when`` through ``results.do_import_results`` (holds and cases follow from it)."""
    tested = (when - dt.timedelta(minutes=10)).isoformat()
    rows = [{"tube_code": code, "result": result, "tested_at": tested,
             "ct_value": "27.4" if result == "positive" else ""}
            for code, result in sorted(outcome.items())]
    with at(when):
        return results.do_import_results(actor=lab, lab_id=lab_id, client_key=key,
                                          frame=results.rows_frame(rows),
                                          filename=f"{key}.csv")


def received_by_lab(campaign_id: int, *, kind: str = "screening") -> dict[int, list[str]]:
    """Codes of the round's received tubes without a result, by lab."""
    found: dict[int, list[str]] = {}
    for lab_id, code in (Tube.objects.filter(campaign_id=campaign_id, status="received",
                                             kind=kind)
                         .order_by("code").values_list("lab_id", "code")):
        found.setdefault(lab_id, []).append(code)
    return found
