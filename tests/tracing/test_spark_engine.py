"""The Spark engine: hand-counted examples, input errors, day pruning, and row-for-row parity
with the reference engine on random small cities (Parquet day folders and CSV).

One Spark session serves the whole file (the ``spark`` fixture); examples are few because
every run is a Spark job of about a second.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import h3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.tracing.engine.base import ContactPolicy, canonical_sort
from fangkong.tracing.engine.spark_cells import band_degrees
from fangkong.tracing.engine.spark_engine import detect
from fangkong.tracing.engine.spark_inputs import Span, prune
from tests.tracing.strategies import (
    CHECKIN_SCHEMA,
    Case,
    Checkin,
    Household,
    Ping,
    TraceInputs,
    trace_inputs,
    write_inputs,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
POINT = (31.2304, 121.4737)


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant on 2022-04-``day`` in Shanghai time."""
    return dt.datetime(2022, 4, day, hour, minute, second, tzinfo=SHANGHAI)


def stay(person: int, venue: int, start: dt.datetime, end: dt.datetime | None) -> Checkin:
    return Checkin(person, venue, start, end, "scan")


def city(**changes: Any) -> TraceInputs:
    """Case 101 (person 1) and case 102 (person 9); households {1, 2} and {3, 7}."""
    rows: dict[str, Any] = {
        "cases": [Case(101, 1, dt.date(2022, 4, 2), dt.date(2022, 4, 3), "confirmed",
                       local(2, 20)),
                  Case(102, 9, None, dt.date(2022, 4, 3), "asymptomatic", None)],
        "checkins": [
            stay(1, 1, local(2, 10), local(2, 11)),
            stay(2, 1, local(2, 10), local(2, 10, 30)),  # household and venue: household
            stay(3, 1, local(2, 10, 45), local(2, 12)),  # exactly 15 minutes with 1
            stay(4, 1, local(2, 10, 50), local(2, 12)),  # 10 with 1; 70 with 3: secondary
            stay(3, 2, local(2, 13), local(2, 14)),
            stay(5, 2, local(2, 13, 30), None),  # 30 with 3 (an hour without exit)
            stay(6, 3, local(1, 9), local(1, 10)),  # with 3, before 3 met the case
            stay(3, 3, local(1, 9), local(1, 10)),
            stay(9, 1, local(2, 10), local(2, 11)),  # case 102: never a contact of 101
        ],
        "pings": [Ping(1, local(2, 12, m, 10), *POINT) for m in (0, 5, 10)]
        + [Ping(8, local(2, 12, m), *POINT) for m in (1, 6)]  # two shared buckets
        + [Ping(2, local(2, 12, m), *POINT) for m in (2, 7)],  # close already
        "households": [Household(1, 1), Household(2, 1), Household(3, 2), Household(7, 2),
                       Household(7, 2)],  # a duplicate row changes nothing
        "policy": ContactPolicy(),
        "as_of": local(4, 0),
        "quarantined": {3: local(3, 9)},
    }
    rows.update(changes)
    return TraceInputs(**rows)


def row(person: int, kind: str, rule: str, first: dt.datetime, last: dt.datetime, *,
        via: int | None = None, venue: int | None = None, cell: str | None = None,
        minutes: int | None = None, case: int = 101) -> dict[str, Any]:
    return {"person_id": person, "contact_type": kind, "index_case_id": case,
            "via_person_id": via, "venue_id": venue, "cell": cell,
            "first_exposure": first.astimezone(dt.UTC), "last_exposure": last.astimezone(dt.UTC),
            "overlap_minutes": minutes, "rule": rule}


def run(spark: Any, tmp_path: Path, data: TraceInputs, fmt: str = "parquet",
        case_ids: frozenset[int] | None = None) -> list[dict[str, Any]]:
    sources = write_inputs(tmp_path / fmt, data, fmt)
    table = detect(sources=sources, policy=data.policy, as_of=data.as_of, case_ids=case_ids,
                   spark=spark)
    return canonical_sort(table).to_pylist()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_hand_counted_contacts_of_one_case(spark: Any, tmp_path: Path, fmt: str) -> None:
    w0 = dt.datetime(2022, 3, 29, tzinfo=SHANGHAI)  # onset 04-02 minus 4 days
    cell = h3.latlng_to_cell(*POINT, 8)
    assert run(spark, tmp_path, city(), fmt, frozenset({101})) == [
        row(2, "close", "household", w0, local(2, 20)),
        row(3, "close", "venue", local(2, 10, 45), local(2, 11), venue=1, minutes=15),
        row(8, "companion", "cell", local(2, 12), local(2, 12, 10), cell=cell, minutes=10),
        row(4, "secondary", "venue", local(2, 10, 50), local(2, 12), via=3, venue=1,
            minutes=70),
        row(5, "secondary", "venue", local(2, 13, 30), local(2, 14), via=3, venue=2,
            minutes=30),
        row(7, "secondary", "household", local(2, 10, 45), local(3, 9), via=3),
    ]


def test_every_case_and_the_exclusions(spark: Any, tmp_path: Path) -> None:
    rows = run(spark, tmp_path, city())
    cases = {1, 9}
    assert not [r for r in rows if r["person_id"] in cases]
    close = {(r["index_case_id"], r["person_id"]) for r in rows if r["contact_type"] == "close"}
    assert not [r for r in rows if r["contact_type"] != "close"
                and (r["index_case_id"], r["person_id"]) in close]
    assert (102, 3) in close and (102, 2) in close  # 102 met 2 for 30 and 3 for 15 minutes
    assert len({(r["index_case_id"], r["person_id"], r["contact_type"]) for r in rows}) == len(rows)


def test_an_empty_window_gives_household_contacts_only(spark: Any, tmp_path: Path) -> None:
    """Isolated before the window opens: household contacts, last = first exposure, and no
    secondary contact through them (11 met household member 2 for an hour)."""
    isolated = dt.datetime(2022, 3, 27, 8, tzinfo=SHANGHAI)
    early = Case(101, 1, dt.date(2022, 4, 2), dt.date(2022, 4, 3), "confirmed", isolated)
    met = [stay(2, 3, local(2, 15), local(2, 16)), stay(11, 3, local(2, 15), local(2, 16))]
    data = city(cases=[early], checkins=city().checkins + met)
    w0 = dt.datetime(2022, 3, 29, tzinfo=SHANGHAI)
    assert run(spark, tmp_path, data) == [row(2, "close", "household", w0, w0)]


def test_secondary_off(spark: Any, tmp_path: Path) -> None:
    rows = run(spark, tmp_path, city(policy=ContactPolicy(secondary=False)), "parquet",
               frozenset({101}))
    assert [(r["person_id"], r["contact_type"]) for r in rows] == [
        (2, "close"), (3, "close"), (8, "companion")]


def test_no_selected_case_gives_an_empty_table(spark: Any, tmp_path: Path) -> None:
    sources = write_inputs(tmp_path, city(), "parquet")
    table = detect(sources=sources, policy=ContactPolicy(), as_of=local(4, 0),
                   case_ids=frozenset({999}), spark=spark)
    assert table.num_rows == 0
    assert table.schema.names[0] == "person_id"


@pytest.mark.parametrize(("change", "message"), [
    ({"checkins": [stay(1, 1, local(2, 10), local(2, 9))]}, "exit_ts before ts"),
    ({"households": [Household(1, 1), Household(1, 2)]}, "two households"),
    ({"cases": [Case(101, 1, None, dt.date(2022, 4, 3), "asymptomatic", None),
                Case(102, 1, None, dt.date(2022, 4, 2), "asymptomatic", None)]},
     "share a person_id"),
])
def test_input_errors(spark: Any, tmp_path: Path, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(spark, tmp_path, city(**change))


@pytest.mark.parametrize(("text", "message"), [
    ("2022-04-02T10:00:00", "no UTC offset"),
    ("2022-04-02T25:00:00+08:00", "not an ISO 8601 timestamp"),
])
def test_csv_timestamp_errors(spark: Any, tmp_path: Path, text: str, message: str) -> None:
    sources = write_inputs(tmp_path, city(), "csv")
    sources.checkins.write_text(f"person_id,venue_id,ts,exit_ts,source\n1,1,{text},,scan\n",
                                encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        detect(sources=sources, policy=ContactPolicy(), as_of=local(4, 0), spark=spark)


def test_csv_timestamps_in_other_iso_forms(spark: Any, tmp_path: Path) -> None:
    """Minutes without seconds, a space before the offset, Z."""
    sources = write_inputs(tmp_path, city(), "csv")
    sources.checkins.write_text("person_id,venue_id,ts,exit_ts,source\n"
                                "1,1,2022-04-02T10:00+08:00,2022-04-02 11:00:00 +08:00,scan\n"
                                "3,1,2022-04-02T02:45:00Z,,scan\n", encoding="utf-8")
    table = detect(sources=sources, policy=ContactPolicy(), as_of=local(4, 0),
                   case_ids=frozenset({101}), spark=spark)
    venue = [r for r in table.to_pylist() if r["rule"] == "venue"]
    assert venue == [row(3, "close", "venue", local(2, 10, 45), local(2, 11), venue=1,
                         minutes=15)]


def test_prune_reads_only_the_days_a_span_can_reach(tmp_path: Path) -> None:
    """Ten day files; a stay without exit crosses midnight, one file holds a 30-hour stay."""
    folder = tmp_path / "checkins"
    folder.mkdir()
    for day in range(1, 11):
        rows = [stay(1, 1, local(day, 23, 30), None)]
        if day == 2:
            rows.append(stay(2, 1, local(day, 8), local(day + 1, 14)))
        table = pa.Table.from_pylist([r._asdict() for r in rows], schema=CHECKIN_SCHEMA)
        pq.write_table(table, folder / f"day=2022-04-{day:02d}.parquet")
    span = Span(earliest_end=int(local(4, 0, 15).timestamp()),
                latest_start=int(local(5, 23, 30).timestamp()))
    kept = prune(path=folder, span=span, exit_column="exit_ts", tail=3600)
    assert [p.name for p in kept] == ["day=2022-04-03.parquet", "day=2022-04-04.parquet",
                                      "day=2022-04-05.parquet"]
    span = Span(earliest_end=int(local(3, 13).timestamp()),
                latest_start=int(local(3, 14).timestamp()))
    kept = prune(path=folder, span=span, exit_column="exit_ts", tail=3600)
    assert [p.name for p in kept] == ["day=2022-04-02.parquet"]


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-89, 89), lon=st.floats(-180, 180), resolution=st.integers(0, 15))
def test_a_cell_is_narrower_than_a_latitude_band(lat: float, lon: float, resolution: int
                                                 ) -> None:
    """Why candidates need only the three bands around a case ping: two pings in one cell
    are at most one band apart."""
    corners = [a for a, _ in h3.cell_to_boundary(h3.latlng_to_cell(lat, lon, resolution))]
    assert max(corners) - min(corners) < band_degrees(resolution=resolution)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=trace_inputs(), fmt=st.sampled_from(["parquet", "csv"]), pick=st.data())
def test_same_rows_as_the_reference(spark: Any, tmp_path_factory: pytest.TempPathFactory,
                                    data: TraceInputs, fmt: str, pick: st.DataObject) -> None:
    reference = pytest.importorskip("fangkong.tracing.engine.reference")
    sources = write_inputs(tmp_path_factory.mktemp("city"), data, fmt)
    case_ids = pick.draw(st.one_of(st.none(), st.frozensets(st.sampled_from(data.case_ids))
                                   if data.case_ids else st.none()))
    expected = reference.detect(sources=sources, policy=data.policy, as_of=data.as_of,
                                case_ids=case_ids)
    found = detect(sources=sources, policy=data.policy, as_of=data.as_of, case_ids=case_ids,
                   spark=spark)
    assert canonical_sort(found).to_pylist() == canonical_sort(expected).to_pylist()
