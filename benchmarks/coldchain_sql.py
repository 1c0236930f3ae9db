"""The cold-chain trace as one PostgreSQL query: what a DBA would write, recursive CTEs for
each seed batch's backward and forward walk, then grouped presence windows and a join for
co-presence. A baseline for ``bench_coldchain`` (PostgreSQL only); its answer is asserted
equal to ``coldchain.trace.compute``'s (seeds, places, movements, batches traced to the port,
co-present batches), so it implements ``logic_trace``'s semantics exactly: closed windows,
an arrival before a departure at the same time, a window open to *as of* after an arrival,
a place with no recorded arrival entered at -infinity, the port as a NULL source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TRACE_SQL = """
WITH RECURSIVE
at_sample AS (  -- presence at the sample's place of every batch with an event there
  SELECT b, min(at) AS s, CASE WHEN max(at) FILTER (WHERE k = 1)
                                    >= coalesce(max(at) FILTER (WHERE k = 0), '-infinity')
                               THEN max(at) ELSE greatest(%(as_of)s, max(at)) END AS e
  FROM (SELECT batch_id AS b, moved_at AS at, 0 AS k FROM coldchain_movement
        WHERE to_place_id = %(place)s
        UNION ALL
        SELECT batch_id, moved_at, 1 FROM coldchain_movement
        WHERE from_place_id = %(place)s) ev
  GROUP BY b),
seeds AS (
  SELECT %(batch)s::bigint AS b WHERE %(batch)s::bigint IS NOT NULL
  UNION
  SELECT b FROM at_sample WHERE %(batch)s::bigint IS NULL
    AND s <= %(at)s AND e >= %(at)s - %(lookback)s * interval '1 second'),
back AS (  -- into the sample's place at or before the sample, then into each source earlier
  SELECT m.id, m.batch_id AS b, m.from_place_id AS src, m.to_place_id AS dst, m.moved_at AS at
  FROM coldchain_movement m JOIN seeds ON m.batch_id = seeds.b
  WHERE m.to_place_id = %(place)s AND m.moved_at <= %(at)s
  UNION
  SELECT m.id, m.batch_id, m.from_place_id, m.to_place_id, m.moved_at
  FROM coldchain_movement m JOIN back ON m.batch_id = back.b AND m.to_place_id = back.src
  WHERE m.moved_at <= back.at),
start AS (  -- each place reached backward, from the first moment the walk put the batch there
  SELECT r.b, r.place, coalesce(min(back.at), '-infinity') AS at
  FROM (SELECT b, %(place)s::bigint AS place FROM seeds
        UNION SELECT b, src FROM back) r
  LEFT JOIN back ON back.b = r.b AND back.dst = r.place
  GROUP BY r.b, r.place),
fwd AS (
  SELECT m.id, m.batch_id AS b, m.to_place_id AS dst, m.moved_at AS at
  FROM coldchain_movement m JOIN start ON m.batch_id = start.b
   AND m.from_place_id IS NOT DISTINCT FROM start.place
  WHERE m.moved_at >= start.at
  UNION
  SELECT m.id, m.batch_id, m.to_place_id, m.moved_at
  FROM coldchain_movement m JOIN fwd ON m.batch_id = fwd.b AND m.from_place_id = fwd.dst
  WHERE m.moved_at >= fwd.at),
walked AS (  -- (seed batch, place) of each walk; the port (NULL) left out
  SELECT b, %(place)s::bigint AS place FROM seeds
  UNION SELECT b, src FROM back WHERE src IS NOT NULL
  UNION SELECT b, dst FROM fwd),
places AS (SELECT DISTINCT place FROM walked),
win AS (  -- presence of every batch at every place of the trace
  SELECT b, p, min(at) AS s, CASE WHEN max(at) FILTER (WHERE k = 1)
                                       >= coalesce(max(at) FILTER (WHERE k = 0), '-infinity')
                                  THEN max(at) ELSE greatest(%(as_of)s, max(at)) END AS e
  FROM (SELECT batch_id AS b, to_place_id AS p, moved_at AS at, 0 AS k
        FROM coldchain_movement WHERE to_place_id IN (SELECT place FROM places)
        UNION ALL
        SELECT batch_id, from_place_id, moved_at, 1
        FROM coldchain_movement WHERE from_place_id IN (SELECT place FROM places)) ev
  GROUP BY b, p),
seen AS (  -- a seed batch's window at a place of its walk (the sample's moment if none)
  SELECT w.place, coalesce(win.s, %(at)s) AS s, coalesce(win.e, %(at)s) AS e
  FROM walked w LEFT JOIN win ON win.b = w.b AND win.p = w.place)
SELECT 'seed', b FROM seeds
UNION ALL SELECT 'place', place FROM places
UNION ALL SELECT 'move', id FROM back
UNION ALL SELECT 'move', id FROM fwd
UNION ALL SELECT DISTINCT 'port', b FROM back WHERE src IS NULL
UNION ALL SELECT DISTINCT 'copresent', win.b FROM win JOIN seen ON win.p = seen.place
  AND win.s <= seen.e AND win.e >= seen.s WHERE win.b NOT IN (SELECT b FROM seeds)
"""


@dataclass
class SqlTrace:
    seeds: set[int]
    places: set[int]
    movements: set[int]
    to_port: set[int]
    copresent: set[int]


def sql_trace(*, place: int, at: dt.datetime, batch: int | None, lookback_s: float,
              as_of: dt.datetime) -> SqlTrace:
    from django.db import connection

    found: dict[str, set[int]] = {k: set() for k in ("seed", "place", "move", "port",
                                                      "copresent")}
    with connection.cursor() as cursor:
        cursor.execute(TRACE_SQL, {"place": place, "at": at, "batch": batch,
                                   "lookback": lookback_s, "as_of": as_of})
        for kind, value in cursor.fetchall():
            found[kind].add(value)
    return SqlTrace(found["seed"], found["place"], found["move"], found["port"],
                    found["copresent"])
