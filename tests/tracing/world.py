"""Helpers of the workflow tests: actors on the small city, cases, contacts without the
engine, and a tiny movement folder in the synth layout (Parquet day files)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.registry.models import Person
from fangkong.tracing.actions_cases import do_register_case
from fangkong.tracing.models import Case, Contact
from tests.factories import City, make_user

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2022, 5, 3)


def at(hour: int, minute: int = 0, *, day: dt.date = DAY) -> dt.datetime:
    """A local time on ``day`` as an aware datetime."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def actor(city: City, username: str, *, district: int | None, roles: list[str]) -> Actor:
    unit = city.unit if district is None else city.districts[district].unit
    return actor_for(make_user(username, unit=unit, roles=roles))


@dataclass
class Team:
    """Users of district 1 (index 0) and district 2, and the city."""

    tracer: Actor
    officer: Actor
    grid: Actor
    tracer2: Actor
    admin: Actor


def team(city: City) -> Team:
    grid_unit = city.districts[0].grids[0]
    grid_user = make_user("grid1", unit=grid_unit, roles=["grid_worker"])
    return Team(
        tracer=actor(city, "tracer1", district=0, roles=["tracer"]),
        officer=actor(city, "officer1", district=0, roles=["district_officer"]),
        grid=actor_for(grid_user),
        tracer2=actor(city, "tracer2", district=1, roles=["tracer"]),
        admin=actor(city, "admin", district=None, roles=["city_admin"]),
    )


def register(who: Actor, person: Person, **kw: Any) -> Case:
    values: dict[str, Any] = {"classification": "confirmed", "sample_date": DAY,
                              "result_at": at(20), "onset_date": DAY - dt.timedelta(days=1)}
    return do_register_case(actor=who, **({"person_id": person.pk} | values | kw))


def add_contact(case: Case, person: Person, *, contact_type: str = "close",
                identified_at: dt.datetime | None = None, **kw: Any) -> Contact:
    """A contact row as detection would store it, placed at the person's residence."""
    contact = Contact(person=person, index_case=case, contact_type=contact_type,
                      rule=kw.pop("rule", "household"), first_exposure=at(8),
                      last_exposure=at(9), identified_at=identified_at or at(22), **kw)
    contact.place_in(person.grid)
    contact.save()
    return contact


Checkin = tuple[int, int, dt.datetime, dt.datetime | None]


def write_movement(root: Path, *, checkins: Sequence[Checkin],
                   pings: Sequence[tuple[int, dt.datetime, float, float]] = (),
                   households: Sequence[tuple[int, int]] = ()) -> Path:
    """Write (person, venue, ts, exit) check-ins and (person, ts, lat, lon) pings as local-day
    Parquet files, and (person, household) pairs; returns ``root``."""
    ts_type = pa.timestamp("s", tz="UTC")
    by_day: dict[dt.date, list[Any]] = defaultdict(list)
    for row in checkins:
        by_day[row[2].astimezone(TZ).date()].append(row)
    (root / "checkins").mkdir(parents=True, exist_ok=True)
    for day, rows in by_day.items():
        pq.write_table(pa.table({
            "person_id": pa.array([r[0] for r in rows], pa.int64()),
            "venue_id": pa.array([r[1] for r in rows], pa.int64()),
            "ts": pa.array([r[2] for r in rows], ts_type),
            "exit_ts": pa.array([r[3] for r in rows], ts_type),
            "source": pa.array(["venue_code"] * len(rows)),
        }), root / "checkins" / f"day={day.isoformat()}.parquet")
    ping_days: dict[dt.date, list[Any]] = defaultdict(list)
    for p in pings:
        ping_days[p[1].astimezone(TZ).date()].append(p)
    (root / "pings").mkdir(parents=True, exist_ok=True)
    for day, rows in ping_days.items():
        pq.write_table(pa.table({
            "person_id": pa.array([r[0] for r in rows], pa.int64()),
            "ts": pa.array([r[1] for r in rows], ts_type),
            "lat": pa.array([r[2] for r in rows], pa.float64()),
            "lon": pa.array([r[3] for r in rows], pa.float64()),
        }), root / "pings" / f"day={day.isoformat()}.parquet")
    pq.write_table(pa.table({
        "person_id": pa.array([h[0] for h in households], pa.int64()),
        "household_id": pa.array([h[1] for h in households], pa.int64()),
    }), root / "households.parquet")
    return root
