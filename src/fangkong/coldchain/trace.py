"""Positive samples and their traces. Running a trace reads the movements of the seed
batches (by index), walks them (``logic_trace``), then reads the movements touching the
places reached for co-presence: by the place indexes, or once the trace reaches many places
the whole table in one sequential read (``trace_load``), and those places' handlers.
The result is stored: one ``TraceHit`` per place (Placed there, so a district sees its own
part) and, in ``result``, the batches and handlers found."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.coldchain import logic_trace as lt
from fangkong.coldchain import trace_load as tl
from fangkong.coldchain.models import (
    Batch,
    ColdPlace,
    Handler,
    Movement,
    PositiveSample,
    SampleKind,
    Trace,
    TraceHit,
)
from fangkong.coldchain.policy import coldchain_rules
from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import DomainError, NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right


def do_report_sample(*, actor: Actor, place_id: int, kind: str, sampled_at: dt.datetime,
                     batch_code: str = "", note: str = "") -> PositiveSample:
    """A positive environmental or packaging sample at a place of the actor's area."""
    actor.require(Right.COLDCHAIN_TRACE)
    if kind not in SampleKind.values:
        raise DomainError(_("unknown kind of sample"), field="kind")
    if sampled_at > clock.now() + dt.timedelta(minutes=5):
        raise DomainError(_("sampled_at is in the future"), field="sampled_at")
    place = get_scoped(ColdPlace.objects.all(), actor, what="cold-chain place", pk=place_id)
    batch = None
    if batch_code.strip():
        batch = Batch.objects.filter(code=batch_code.strip()).first()
        if batch is None:
            raise DomainError(_("no batch has the code %(code)s") % {"code": batch_code},
                              field="batch_code")
    elif kind != SampleKind.ENVIRONMENT:
        raise DomainError(_("a packaging or product sample names its batch"),
                          field="batch_code")
    row = PositiveSample(place=place, batch=batch, kind=kind, sampled_at=sampled_at,
                         note=note.strip()[:200], reported_by_id=actor.user_id,
                         reported_at=clock.now())
    row.district_id, row.street_id = place.district_id, place.street_id
    row.community_id, row.grid_id = place.community_id, place.grid_id
    with transaction.atomic():
        row.save()
        record(actor=actor, verb="coldchain.sample.report", target=row, after=snapshot(row))
    return row


# Co-presence reads the whole movement table once, instead of each reached place's movements
# by index, when the trace reaches this share of all cold places. Measured on 1 M movements
# and 6,660 places (docs/coldchain.md, "Performance"): the whole-table read costs ~1.3 s on
# either backend; by index costs as much at ~700 places on SQLite and ~1,300 on PostgreSQL.
TABLE_FROM_SHARE = {"sqlite": 0.10, "postgresql": 0.20}


def table_from_places() -> float:
    """The count of places reached from which co-presence reads the whole table."""
    return TABLE_FROM_SHARE.get(connection.vendor, 0.10) * ColdPlace.objects.count()


def _ts(when: dt.datetime) -> float:
    return when.timestamp()


def _moves(qs: QuerySet[Movement]) -> list[lt.Move]:
    """Movements as ``lt.Move`` through the ORM (the benchmark's baseline reads this way)."""
    return [lt.Move(pk, b, src or lt.PORT, dst, _ts(at)) for pk, b, src, dst, at in
            qs.values_list("pk", "batch_id", "from_place_id", "to_place_id", "moved_at")]


_PG_COLUMNS = ("id", "batch_id", "COALESCE(from_place_id, 0)", "to_place_id",
               "(EXTRACT(EPOCH FROM moved_at) * 1000000)::bigint")  # exact: numeric
_NAMES = ["id", "batch", "src", "dst", "at"]
_IN_LIST = 5000  # ids per query on SQLite (its limit on bound parameters is 32,766)


def read_moves(*, column: str = "", ids: Collection[int] = ()) -> tl.Moves:
    """Movements whose ``column`` is one of ``ids`` (the whole table when no column): the
    five columns the walk needs, no model instances, a few large values instead of a row
    each: PostgreSQL sends int8 arrays, SQLite CSV text (its stored UTC times parsed by Arrow).
    Times come out as ``datetime.timestamp()`` gives them (microseconds / 10⁶)."""
    table = Movement._meta.db_table
    if connection.vendor == "postgresql":
        cond = f" WHERE {column} = ANY(%s)" if column else ""
        return _arrays(table, cond, [sorted(ids)] if column else [])
    if not column:
        return _text(table, "", [])
    listed = sorted(ids)
    return tl.concat([_text(table, f" WHERE {column} IN ({', '.join(['%s'] * len(part))})",
                            part) for part in (listed[i:i + _IN_LIST]
                                               for i in range(0, len(listed), _IN_LIST))])


def _arrays(table: str, cond: str, params: list[Any]) -> tl.Moves:
    """Each 65,536 movements as one row of five int8 arrays, in binary (psycopg's server-side
    cursor: Django's client-side one sends text): a Python call per array, not per row as a
    plain fetch or COPY (which yields a message per row) costs."""
    cols = ", ".join(f"array_agg({c})" for c in _PG_COLUMNS)
    with connection.cursor():  # connected, in the current transaction
        cursor = psycopg.Cursor(connection.connection)
        cursor.execute(f"SELECT {cols} FROM {table}{cond} GROUP BY id / 65536",  # noqa: S608
                       params, binary=True)
        parts = cursor.fetchall()
    if not parts:
        return tl.Moves.empty()
    ints = [np.concatenate([np.asarray(p[k], dtype=np.int64) for p in parts])
            for k in range(5)]
    return tl.Moves.columns(ints[:4], ints[4] / 1e6)


def _text(table: str, cond: str, params: list[Any]) -> tl.Moves:
    """Each 65,536 movements as one CSV text (``group_concat``), parsed by Arrow: a row per
    movement through sqlite3 (and Django's datetime converter) costs a Python call each."""
    row = " || ',' || ".join(["id", "batch_id", "COALESCE(from_place_id, 0)", "to_place_id",
                              "moved_at"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT group_concat({row}, char(10)) FROM {table}{cond} "  # noqa: S608
                       "GROUP BY id / 65536", params)
        text = "\n".join(part for (part,) in cursor.fetchall())
    if not text:
        return tl.Moves.empty()
    types = dict.fromkeys(_NAMES[:4], pa.int64()) | {"at": pa.timestamp("us")}
    got = pacsv.read_csv(io.BytesIO(text.encode()), read_options=pacsv.ReadOptions(
        column_names=_NAMES), convert_options=pacsv.ConvertOptions(column_types=types))
    ints = [got.column(n).to_numpy() for n in _NAMES[:4]]
    micros = got.column("at").cast(pa.int64()).to_numpy()
    return tl.Moves.columns(ints, micros / 1e6)


def read_table() -> tl.Moves:
    return read_moves()


def batch_moves(batches: set[int]) -> tl.Moves:
    return read_moves(column="batch_id", ids=batches)


def place_moves(places: set[int]) -> tl.Moves:
    """By the two place indexes: arrivals, then departures (a movement between two of the
    places comes in both and is kept once)."""
    return tl.concat([read_moves(column="to_place_id", ids=places),
                      read_moves(column="from_place_id", ids=places)]).unique()


def handlers_at(places: set[int]) -> list[lt.HandlerAt]:
    return [lt.HandlerAt(*row) for row in Handler.objects.filter(
        place_id__in=places, active=True).values_list("pk", "person_id", "place_id")]


READERS = tl.Readers(batch_moves=batch_moves, place_moves=place_moves,
                     table=read_table, handlers_at=handlers_at)


def compute(sample: PositiveSample, *, as_of: dt.datetime) -> lt.TraceResult:
    """The trace of one sample (no writes): what ``do_run_trace`` stores."""
    return compute_with_strategy(sample, as_of=as_of)[0]


def compute_with_strategy(sample: PositiveSample, *, as_of: dt.datetime,
                          table_from: float | None = None) -> tuple[lt.TraceResult, str]:
    """The trace and how co-presence read its movements (``trace_load.INDEXED`` or
    ``TABLE``); ``table_from`` overrides ``table_from()`` (0: always the table, ``inf``:
    always by index)."""
    rules = coldchain_rules(on=timezone.localdate(sample.sampled_at))
    seed = lt.SampleAt(place=sample.place_id, at=_ts(sample.sampled_at),
                       batch=sample.batch_id,
                       lookback=rules.environment_lookback_days * 86400.0)
    return tl.trace(sample=seed, readers=READERS, as_of=_ts(as_of),
                    table_from=table_from_places() if table_from is None else table_from)


def do_run_trace(*, actor: Actor, sample_id: int) -> Trace:
    actor.require(Right.COLDCHAIN_TRACE)
    sample = get_scoped(PositiveSample.objects.all(), actor, what="sample", pk=sample_id)
    now = clock.now()
    found = compute(sample, as_of=now)
    places = ColdPlace.objects.in_bulk(set(found.places))
    with transaction.atomic():
        row = Trace(sample=sample, run_by_id=actor.user_id, run_at=now, as_of=now,
                    batches=len(found.seeds | found.copresent), places=len(found.places),
                    handlers=len(found.handlers), result={
                        "seeds": sorted(found.seeds), "copresent": sorted(found.copresent),
                        "to_port": sorted(found.to_port), "movements": len(found.movements),
                        "handlers": sorted(found.handlers), "persons": len(found.persons)})
        row.district_id, row.street_id = sample.district_id, sample.street_id
        row.community_id, row.grid_id = sample.community_id, sample.grid_id
        row.save()
        hits = [_hit(row, places[pid], hit) for pid, hit in found.places.items()]
        TraceHit.objects.bulk_create(hits)
        record(actor=actor, verb="coldchain.trace.run", target=row,
               after={"sample": sample.pk, "batches": row.batches, "places": row.places,
                      "handlers": row.handlers})
    return row


def _hit(trace: Trace, place: ColdPlace, hit: lt.Hit) -> TraceHit:
    row = TraceHit(trace=trace, place=place, direction=hit.direction,
                   start=dt.datetime.fromtimestamp(hit.start, tz=dt.UTC),
                   end=dt.datetime.fromtimestamp(hit.end, tz=dt.UTC))
    row.district_id, row.street_id = place.district_id, place.street_id
    row.community_id, row.grid_id = place.community_id, place.grid_id
    return row


# ---------------------------------------------------------------- reading a trace (scoped)


def visible_traces(actor: Actor) -> QuerySet[Trace]:
    """Traces of samples in the actor's area, or that reached a place in it."""
    actor.require(Right.COLDCHAIN_VIEW)
    reached = scope(TraceHit.objects.all(), actor).values("trace_id")
    if actor.unit is None:
        return Trace.objects.none()
    return Trace.objects.filter(Q(pk__in=scope(Trace.objects.all(), actor).values("pk"))
                                | Q(pk__in=reached))


@dataclass
class TraceView:
    trace: Trace
    sample: PositiveSample
    hits: list[TraceHit]  # the places in the actor's area
    hidden_places: int  # reached, outside the actor's area
    batches: list[tuple[Batch, str]]  # (batch, "positive" | "same_store"), ones seen
    hidden_batches: int
    handlers: list[Handler]  # at the places shown


def trace_view(actor: Actor, *, trace_id: int) -> TraceView:
    trace = visible_traces(actor).filter(pk=trace_id).select_related(
        "sample__place__venue", "sample__batch").first()
    if trace is None:
        raise NotFound("trace")
    all_hits = TraceHit.objects.filter(trace=trace)
    hits = list(scope(all_hits, actor).select_related("place__venue", "risk_point")
                .order_by("direction", "start"))
    seeds, copresent = set(trace.result.get("seeds", [])), set(trace.result.get("copresent",
                                                                                 []))
    shown = {h.place_id for h in hits}
    batches = Batch.objects.filter(pk__in=seeds | copresent).filter(
        Q(pk__in=Movement.objects.filter(Q(to_place_id__in=shown) | Q(from_place_id__in=shown))
          .values("batch_id")) | Q(pk__in=scope(Batch.objects.all(), actor).values("pk"))
    ).order_by("code")
    listed = [(b, "positive" if b.pk in seeds else "same_store") for b in batches]
    handlers = list(Handler.objects.filter(pk__in=trace.result.get("handlers", []),
                                           place_id__in=shown)
                    .select_related("person", "place__venue").order_by("place_id", "id"))
    return TraceView(trace, trace.sample, hits, all_hits.count() - len(hits), listed,
                     len(seeds | copresent) - len(listed), handlers)


def links(view: TraceView) -> list[tuple[str, str]]:
    """Distinct (from, to) of the positive batches' movements between the places shown
    (``"port"`` for the port of entry), for the trace's graph."""
    shown = {h.place_id for h in view.hits}
    seeds = view.trace.result.get("seeds", [])
    pairs = Movement.objects.filter(batch_id__in=seeds, to_place_id__in=shown).filter(
        Q(from_place_id__in=shown) | Q(from_place__isnull=True)).values_list(
        "from_place_id", "to_place_id").distinct()
    return sorted({(str(a) if a else "port", str(b)) for a, b in pairs})
