"""Export of live check-ins: the contract's columns and types, one local day per file, read by
the case page's movement reader and accepted by the engine's input checks, never duplicating
a row the synthetic day file holds, re-exported only when new check-ins arrived."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import override_settings

from fangkong.healthcode import export
from fangkong.healthcode.models import Checkin, CheckinSource
from fangkong.registry.models import Person, Venue
from fangkong.synth.routines import CHECKIN_SCHEMA
from fangkong.tracing import movement
from fangkong.tracing.engine.checks import check_days, check_rows
from fangkong.tracing.engine.inputs import resolve
from tests.factories import City

CITY = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2022, 4, 2)


def _at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CITY)


def _checkin(person: Person, venue: Venue, ts: dt.datetime, key: str,
             received: dt.datetime | None = None) -> Checkin:
    row = Checkin(person=person, venue=venue, ts=ts, source=CheckinSource.RESIDENT,
                  client_key=key, received_at=received or ts)
    row.district_id, row.grid_id = venue.district_id, venue.grid_id
    row.save()
    return row


@pytest.fixture
def rows(city: City) -> list[Checkin]:
    a, b = city.districts[0].persons[:2]
    venue = city.districts[0].venues[0]
    return [_checkin(a, venue, _at(9), "k-0001"), _checkin(b, venue, _at(9, 30), "k-0002"),
            _checkin(a, venue, _at(23, 30, DAY - dt.timedelta(days=1)), "k-0003")]


def test_one_local_day_with_the_contract_columns(rows: list[Checkin], tmp_path: Path) -> None:
    done = export.export_checkins(day=DAY, folder=tmp_path)
    assert done.path == tmp_path / "checkins" / "live-day=2022-04-02.parquet"
    table = pq.read_table(done.path)
    pq.write_table(CHECKIN_SCHEMA.empty_table(), tmp_path / "synth.parquet")  # as synth writes
    assert table.schema.remove_metadata().equals(pq.read_schema(tmp_path / "synth.parquet"))
    assert done.rows == table.num_rows == 2  # the 23:30 of the day before is not this day's
    assert table.column("ts").to_pylist() == [_at(9), _at(9, 30)]
    assert table.column("exit_ts").null_count == 2
    assert set(table.column("source").to_pylist()) == {"resident"}


def test_the_case_page_reader_and_the_engine_take_the_file(rows: list[Checkin],
                                                            tmp_path: Path) -> None:
    export.export_checkins(day=DAY, folder=tmp_path)
    export.export_checkins(day=DAY - dt.timedelta(days=1), folder=tmp_path)
    with override_settings(MOVEMENT_DIR=str(tmp_path)):
        stays = movement.checkins_of(person_id=rows[0].person_id, start=_at(0),
                                     end=_at(23), default_stay_minutes=60)
        picked = movement.day_files(tmp_path / "checkins", start=_at(0, 0, DAY + dt.timedelta(
            days=5)), end=_at(23, 0, DAY + dt.timedelta(days=5)))
    venue = rows[0].venue_id  # the stay from 23:30 the evening before runs past midnight
    assert [(v, t0) for v, t0, _ in stays] == [(venue, rows[2].ts), (venue, _at(9))]
    assert picked == []  # pruned by the day in its name, like the synthetic files
    con = duckdb.connect()
    source = resolve(con=con, kind="checkins", path=tmp_path / "checkins")
    check_rows(con=con, source=source)
    check_days(con=con, source=source, tz=CITY)


def test_rows_the_synthetic_day_file_holds_are_not_written_again(
        rows: list[Checkin], tmp_path: Path) -> None:
    folder = tmp_path / "checkins"
    folder.mkdir()
    same = rows[0]
    synthetic = pa.table({"person_id": [same.person_id], "venue_id": [same.venue_id],
                          "ts": pa.array([int(same.ts.timestamp())], pa.int64()).cast(
                              CHECKIN_SCHEMA.field("ts").type),
                          "exit_ts": pa.array([None], CHECKIN_SCHEMA.field("exit_ts").type),
                          "source": ["staff_scan"]}, schema=CHECKIN_SCHEMA)
    pq.write_table(synthetic, folder / "day=2022-04-02.parquet")
    done = export.export_checkins(day=DAY, folder=tmp_path)
    assert (done.rows, done.skipped) == (1, 1)
    both = duckdb.connect().execute("SELECT person_id, epoch(ts) FROM read_parquet(?)",
                                    [str(folder / "*.parquet")]).fetchall()
    assert len(both) == len(set(both)) == 2
    again = export.export_checkins(day=DAY, folder=tmp_path)
    assert pq.read_table(again.path).num_rows == 1  # replaced, not appended


def test_the_job_re_exports_only_days_with_new_arrivals(rows: list[Checkin],
                                                        tmp_path: Path) -> None:
    now = _at(12)
    first = export.export_changed_days(folder=tmp_path, now=now)
    assert sorted(e.day for e in first) == [DAY - dt.timedelta(days=1), DAY]
    assert export.export_changed_days(folder=tmp_path, now=now) == []
    late = _checkin(rows[1].person, rows[0].venue, _at(20, 0, DAY - dt.timedelta(days=1)),
                    "k-late", received=now)
    redone = export.export_changed_days(folder=tmp_path, now=now)
    assert [e.day for e in redone] == [DAY - dt.timedelta(days=1)]
    assert redone[0].rows == 2 and late.pk


def test_a_day_without_check_ins_has_no_file(city: City, tmp_path: Path) -> None:
    done = export.export_checkins(day=DAY, folder=tmp_path)
    assert done.rows == 0 and not done.path.exists()
