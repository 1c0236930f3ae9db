"""Input checks: each malformed or inconsistent file is an InputError naming file, line (or
Parquet row) and field, and ``fangkong trace contacts`` prints it and writes nothing. Also
the day pruning of partitioned folders (the incremental path)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fangkong.cli import main
from fangkong.tracing.engine import InputError, detect_contacts
from fangkong.tracing.engine.base import ContactPolicy, Sources
from fangkong.tracing.engine.partitions import day_files, stay_files
from tests.tracing.strategies import CASE_SCHEMA, CHECKIN_SCHEMA, Checkin, TraceInputs, write_inputs

SH = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2022, 4, 5, tzinfo=SH)
HEADERS = {"checkins": "person_id,venue_id,ts,exit_ts,source",
           "cases": "case_id,person_id,onset_date,sample_date,classification,isolated_at",
           "pings": "person_id,ts,lat,lon", "households": "person_id,household_id"}
GOOD = {"checkins": ["1,1,2022-04-02T10:00:00+08:00,2022-04-02T11:00:00+08:00,scan",
                     "2,1,2022-04-02T10:30:00+08:00,,scan"],
        "cases": ["101,1,2022-04-03,2022-04-03,confirmed,"],
        "pings": ["1,2022-04-02T10:00:00+08:00,31.23,121.47"],
        "households": ["1,1", "2,2"]}
CK = "2022-04-01T10:00:00+08:00"
BAD = [
    ("checkins", "person_id,ts,exit_ts,source\n1,2022-04-02T10:00:00+08:00,,scan",
     "checkins.csv line 1, venue_id: missing column"),
    ("checkins", ["1,1,2022-04-02T10:00:00+08:00,,scan", "x2,1,2022-04-02T10:00:00+08:00,,"],
     "checkins.csv line 3, person_id: not an integer (x2)"),
    ("checkins", ["1,1,2022-04-02T25:00:00+08:00,,scan"],
     "checkins.csv line 2, ts: not a timestamp (2022-04-02T25:00:00+08:00)"),
    ("checkins", ["1,1,2022-04-02T10:00:00+08:00,,scan", "2,1,2022-04-02T10:30:00,,scan"],
     "checkins.csv line 3, ts: timestamp without offset (2022-04-02T10:30:00)"),
    ("checkins", [*GOOD["checkins"] * 2, "3,1,2022-04-01T09:00:00+08:00,,", f"3,1,{CK},"
                  "2022-04-01T09:59:59+08:00,scan", f"3,1,{CK},2022-04-01T09:00:00+08:00,scan"],
     f"checkins.csv line 7, exit_ts: before ts ({CK})"),
    ("checkins", ["1,,2022-04-02T10:00:00+08:00,,scan"], "checkins.csv line 2, venue_id: empty"),
    ("checkins", ["1,1,2022-04-02T10:00:00+08:00,,scan", "1,1,2022-04-02T10:00:00+08:00,"],
     "checkins.csv line 3: expected 5 fields, found 4"),
    ("pings", ["1,2022-04-02T10:00:00+08:00,91.5,121.47"],
     "pings.csv line 2, lat: out of range (91.5)"),
    ("pings", ["1,2022-04-02T10:00:00+08:00,31.2,-181"],
     "pings.csv line 2, lon: out of range (-181)"),
    ("cases", ["101,1,2022-04-03,2022-04-03,probable,"],
     "cases.csv line 2, classification: unknown (probable), expected confirmed or asymptomatic"),
    ("cases", ["101,1,2022-13-01,2022-04-03,confirmed,"],
     "cases.csv line 2, onset_date: not a date (2022-13-01)"),
    ("cases", ["101,1,,,asymptomatic,"], "cases.csv line 2, sample_date: empty"),
    ("cases", ["101,1,,2022-04-03,asymptomatic,", "102,1,,2022-04-02,asymptomatic,"],
     "cases.csv line 3, person_id: person 1 already has case 101 (line 2); one person, one case"),
    ("cases", ["101,1,,2022-04-03,asymptomatic,", "101,1,,2022-04-02,asymptomatic,"],
     "cases.csv line 3, case_id: case 101 repeated with other values (first: line 2)"),
    ("households", ["1,1", "1,2"],
     "households.csv line 3, household_id: person 1 already in household 1 (line 2)"),
]


def write_city(tmp: Path, change: dict[str, str | list[str]] | None = None) -> Sources:
    """The good CSV city, with one file's text (or its rows under the header) replaced."""
    files = {}
    for kind, rows in {**GOOD, **(change or {})}.items():
        text = rows if isinstance(rows, str) else "\n".join([HEADERS[kind], *rows])
        files[kind] = tmp / f"{kind}.csv"
        files[kind].write_text(text + "\n", encoding="utf-8")
    return Sources(**files)


def cli(sources: Sources, out: Path) -> int:
    paths = [f"--{k}={getattr(sources, k)}" for k in ("checkins", "cases", "pings",
                                                      "households")]
    return main(["trace", "contacts", *paths, f"--out={out}", "--as-of", AS_OF.isoformat()])


def test_the_good_city_passes_and_identical_repeated_rows_are_fine(tmp_path: Path) -> None:
    sources = write_city(tmp_path, {"cases": GOOD["cases"] * 2,
                                    "households": GOOD["households"] * 2})
    table = detect_contacts(sources=sources, policy=ContactPolicy(), as_of=AS_OF)
    assert table.column("person_id").to_pylist() == [2]


@pytest.mark.parametrize(("kind", "rows", "message"), BAD)
def test_bad_input_names_file_line_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             kind: str, rows: str | list[str],
                                             message: str) -> None:
    sources = write_city(tmp_path, {kind: rows})
    with pytest.raises(InputError) as caught:
        detect_contacts(sources=sources, policy=ContactPolicy(), as_of=AS_OF)
    assert str(caught.value) == message
    out = tmp_path / "contacts.csv"
    assert cli(sources, out) == 1
    assert capsys.readouterr().err == f"error: {message}\n"
    assert not out.exists()
    assert list(tmp_path.glob(".contacts*")) == []


def parquet_city(tmp: Path, checkins: list[Checkin]) -> Sources:
    case = TraceInputs(checkins=checkins, cases=[], pings=[], households=[],
                       policy=ContactPolicy(), as_of=AS_OF)
    sources = write_inputs(tmp, case, "parquet")
    pq.write_table(pa.Table.from_pylist([{"case_id": 101, "person_id": 1, "onset_date": None,
                                          "sample_date": dt.date(2022, 4, 3),
                                          "classification": "asymptomatic",
                                          "isolated_at": None}], schema=CASE_SCHEMA),
                   sources.cases)
    return sources


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2022, 4, day, hour, tzinfo=SH).astimezone(dt.UTC)


def test_parquet_errors_name_the_file_row_and_field(tmp_path: Path) -> None:
    sources = parquet_city(tmp_path / "a", [Checkin(1, 1, at(2, 10), None, "scan"),
                                            Checkin(2, 1, at(2, 10), at(2, 9), "scan")])
    with pytest.raises(InputError, match=r"^checkins/day=2022-04-02\.parquet row 2, exit_ts: "
                                         r"before ts \(2022-04-02 02:00:00\+00\)$"):
        detect_contacts(sources=sources, policy=ContactPolicy(), as_of=AS_OF)
    pq.write_table(pa.Table.from_pylist([{"person_id": 1, "venue_id": 1, "ts": at(2, 10),
                                          "exit_ts": None, "source": "scan"}],
                                        schema=CHECKIN_SCHEMA),
                   sources.checkins / "day=2022-04-03.parquet")
    (sources.checkins / "day=2022-04-02.parquet").unlink()
    with pytest.raises(InputError, match=r"^checkins/day=2022-04-03\.parquet row 1, ts: not on "
                                         r"2022-04-03 \(Asia/Shanghai\), the day in the file"):
        detect_contacts(sources=sources, policy=ContactPolicy(), as_of=AS_OF)
    pq.write_table(pq.read_table(sources.cases).drop_columns(["onset_date"]), sources.cases)
    with pytest.raises(InputError, match=r"^cases\.parquet, onset_date: missing column$"):
        detect_contacts(sources=sources, policy=ContactPolicy(), as_of=AS_OF)


def test_parquet_column_of_the_wrong_type(tmp_path: Path) -> None:
    sources = parquet_city(tmp_path, [Checkin(1, 1, at(2, 10), None, "scan")])
    pq.write_table(pa.table({"person_id": [1.5], "household_id": [1]}),
                   tmp_path / "households.parquet")
    sources = Sources(checkins=sources.checkins, cases=sources.cases,
                      households=tmp_path / "households.parquet")
    with pytest.raises(InputError, match=r"^households\.parquet, person_id: column type DOUBLE, "
                                         r"expected an integer$"):
        detect_contacts(sources=sources, policy=ContactPolicy(), as_of=AS_OF)


def day_folder(tmp: Path, late_exit: bool) -> Path:
    """Ten day files, 04-01..04-10 (Shanghai); the 04-02 file holds a 30-hour stay when
    ``late_exit``; one file carries no day in its name."""
    folder = tmp / "checkins"
    folder.mkdir(parents=True)
    for day in range(1, 11):
        exit_ts = at(day + 1, 16) if late_exit and day == 2 else None
        rows = [{"person_id": 1, "venue_id": 1, "ts": at(day, 10), "exit_ts": exit_ts,
                 "source": "scan"}]
        pq.write_table(pa.Table.from_pylist(rows, schema=CHECKIN_SCHEMA),
                       folder / f"day=2022-04-{day:02d}.parquet")
    (folder / "day=2022-04-11").mkdir()
    pq.write_table(pa.Table.from_pylist([], schema=CHECKIN_SCHEMA),
                   folder / "day=2022-04-11" / "part-0.parquet")
    pq.write_table(pa.Table.from_pylist([], schema=CHECKIN_SCHEMA), folder / "extra.parquet")
    return folder


def names(files: list[Path]) -> list[str]:
    return sorted(f.relative_to(f.parents[1] if f.parent.name.startswith("day=") else f.parent)
                  .as_posix() for f in files)


def test_day_files_list_only_the_days_a_range_meets(tmp_path: Path) -> None:
    folder = day_folder(tmp_path, late_exit=False)
    tz = ContactPolicy().tz
    start, end = int(at(3, 12).timestamp()), int(at(5, 0).timestamp())
    assert names(day_files(folder=folder, start=start, end=end, tz=tz)) == [
        "day=2022-04-03.parquet", "day=2022-04-04.parquet", "extra.parquet"]
    assert names(day_files(folder=folder, start=int(at(10, 23).timestamp()), end=None,
                           tz=tz)) == ["day=2022-04-10.parquet", "day=2022-04-11/part-0.parquet",
                                       "extra.parquet"]


def test_stay_files_reach_back_only_for_stays_that_last(tmp_path: Path) -> None:
    """From 04-03 01:30, a stay without exit (at most 60 min) cannot reach back to the 04-02
    file; its 30-hour stay can, and the footer statistics of exit_ts bring it in."""
    tz, start, end = ContactPolicy().tz, int(at(3, 1).timestamp()) + 1800, int(at(4, 0).timestamp())
    short = stay_files(folder=day_folder(tmp_path / "a", late_exit=False), start=start,
                       end=end, tz=tz, default_stay=3600)
    long = stay_files(folder=day_folder(tmp_path / "b", late_exit=True), start=start, end=end,
                      tz=tz, default_stay=3600)
    assert names(short) == ["day=2022-04-03.parquet", "extra.parquet"]
    assert names(long) == ["day=2022-04-02.parquet", "day=2022-04-03.parquet", "extra.parquet"]
