"""Hand-computed examples of every contact rule and edge case (docs/tracing.md, "Contact
rules as implemented"). Each runs on the reference engine, the oracle of the property tests,
and on the DuckDB engine, through ``detect_contacts`` (so the input checks pass them too)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import h3
import pytest

from fangkong.tracing.engine import detect_contacts
from fangkong.tracing.engine.base import ContactPolicy
from tests.tracing.strategies import Case, Checkin, Household, Ping, TraceInputs, write_inputs

SH = dt.timezone(dt.timedelta(hours=8))
POINT = (31.2304, 121.4737)
CELL = h3.latlng_to_cell(*POINT, 8)
W0 = dt.datetime(2022, 3, 30, tzinfo=SH)  # onset 2022-04-03 − 4 days, 00:00 Shanghai
AS_OF = dt.datetime(2022, 4, 5, tzinfo=SH)
ENGINES = ["reference", "duckdb"]


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2022, 4, day, hour, minute, second, tzinfo=SH)


def stay(person: int, venue: int, start: dt.datetime, end: dt.datetime | None = None) -> Checkin:
    return Checkin(person, venue, start.astimezone(dt.UTC),
                   None if end is None else end.astimezone(dt.UTC), "scan")


def case(case_id: int = 101, person: int = 1, isolated: dt.datetime | None = None) -> Case:
    onset = dt.date(2022, 4, 3)
    return Case(case_id, person, onset, onset, "confirmed", isolated)


def city(**kw: Any) -> TraceInputs:
    """Case 101 (person 1, onset 04-03); secondary contacts off unless a test turns them on."""
    base: dict[str, Any] = {"checkins": [], "cases": [case()], "pings": [], "households": [],
                            "policy": ContactPolicy(secondary=False), "as_of": AS_OF}
    return TraceInputs(**{**base, **kw})


def run(tmp: Path, data: TraceInputs, engine: str, fmt: str = "parquet") -> list[dict[str, Any]]:
    sources = write_inputs(tmp / fmt, data, fmt)
    table = detect_contacts(sources=sources, policy=data.policy, as_of=data.as_of, engine=engine)
    return table.to_pylist()


def row(person: int, kind: str, rule: str, first: dt.datetime, last: dt.datetime, *,
        minutes: int | None = None, venue: int | None = None, via: int | None = None,
        cell: str | None = None, case_id: int = 101) -> dict[str, Any]:
    return {"person_id": person, "contact_type": kind, "index_case_id": case_id,
            "via_person_id": via, "venue_id": venue, "cell": cell,
            "first_exposure": first.astimezone(dt.UTC), "last_exposure": last.astimezone(dt.UTC),
            "overlap_minutes": minutes, "rule": rule}


@pytest.mark.parametrize("engine", ENGINES)
def test_overlap_of_exactly_the_minimum_qualifies_and_one_second_less_does_not(
        tmp_path: Path, engine: str) -> None:
    data = city(checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(2, 1, local(2, 10, 45), local(2, 12)),  # 15:00
                          stay(3, 1, local(2, 10, 45, 1), local(2, 12))])  # 14:59
    assert run(tmp_path, data, engine) == [
        row(2, "close", "venue", local(2, 10, 45), local(2, 11), minutes=15, venue=1)]


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_exit_covers_the_default_stay(tmp_path: Path, engine: str) -> None:
    data = city(checkins=[stay(1, 1, local(2, 10)), stay(2, 1, local(2, 10, 40))])
    assert run(tmp_path, data, engine) == [
        row(2, "close", "venue", local(2, 10, 40), local(2, 11), minutes=20, venue=1)]


@pytest.mark.parametrize("engine", ENGINES)
def test_stays_crossing_midnight_meet_across_day_files(tmp_path: Path, engine: str) -> None:
    """The case's stay is in the 04-01 file, the contact's in 04-02's (and a 30-hour stay
    from 03-31 reaches it too)."""
    data = city(checkins=[stay(1, 1, local(1, 23, 30), local(2, 0, 30)),
                          stay(2, 1, local(2, 0, 0), local(2, 1)),
                          stay(3, 1, dt.datetime(2022, 3, 31, 20, tzinfo=SH), local(2, 2))])
    assert run(tmp_path, data, engine) == [
        row(2, "close", "venue", local(2, 0), local(2, 0, 30), minutes=30, venue=1),
        row(3, "close", "venue", local(1, 23, 30), local(2, 0, 30), minutes=60, venue=1)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_case_without_check_ins_and_duplicate_check_ins(tmp_path: Path, engine: str) -> None:
    pair = [stay(1, 1, local(2, 10), local(2, 11)), stay(2, 1, local(2, 10, 30), local(2, 12))]
    data = city(checkins=pair + pair + [stay(2, 1, local(2, 10, 50), local(2, 11, 4))],
                cases=[case(), case(102, 5)])
    assert run(tmp_path, data, engine) == [
        row(2, "close", "venue", local(2, 10, 30), local(2, 11), minutes=30, venue=1)]


@pytest.mark.parametrize("engine", ENGINES)
def test_venue_rows_aggregate_overlaps(tmp_path: Path, engine: str) -> None:
    """First overlap start, last overlap end, the longest single overlap (not the sum), the
    venue of the first overlap (ties: smallest venue); the window clips the case's stays."""
    data = city(checkins=[stay(1, 2, local(2, 10), local(2, 10, 20)),
                          stay(1, 3, local(2, 10), local(2, 10, 20)),
                          stay(2, 3, local(2, 10), local(2, 10, 20)),
                          stay(2, 2, local(2, 9), local(2, 10, 20)),
                          stay(1, 1, local(4, 23, 0), local(5, 1)),
                          stay(2, 1, local(4, 23, 0), local(5, 2))],
                as_of=local(4, 23, 40))
    assert run(tmp_path, data, engine) == [
        row(2, "close", "venue", local(2, 10), local(4, 23, 40), minutes=40, venue=2)]


@pytest.mark.parametrize("engine", ENGINES)
def test_household_member_at_the_venue_is_one_household_row(tmp_path: Path, engine: str) -> None:
    data = city(checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(2, 1, local(2, 10), local(2, 11))],
                households=[Household(1, 7), Household(2, 7), Household(9, 8)])
    assert run(tmp_path, data, engine) == [row(2, "close", "household", W0, AS_OF)]


@pytest.mark.parametrize("engine", ENGINES)
def test_offsets_in_csv_are_the_same_instant(tmp_path: Path, engine: str) -> None:
    """10:00+08:00, 02:00+00:00 and 21:00−05:00 (the day before) are one instant."""
    data = city(checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(2, 1, local(2, 10, 30))])
    expected = [row(2, "close", "venue", local(2, 10, 30), local(2, 11), minutes=30, venue=1)]
    assert run(tmp_path, data, engine, fmt="csv") == expected
    sources = write_inputs(tmp_path / "hand", data, "csv")
    sources.checkins.write_text("person_id,venue_id,ts,exit_ts,source\n"
                                "1,1,2022-04-02T10:00:00+08:00,2022-04-02T03:00:00Z,scan\n"
                                "2,1,2022-04-01T21:30:00-05:00,,scan\n", encoding="utf-8")
    table = detect_contacts(sources=sources, policy=data.policy, as_of=AS_OF, engine=engine)
    assert table.to_pylist() == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_secondary_via_household_and_via_venue(tmp_path: Path, engine: str) -> None:
    """2 meets the case at 10:00; 2's housemate 3 is secondary from then until 2's
    quarantine; 4 meets 2 later (secondary, venue); 6 met 2 before 10:00 (not counted)."""
    data = city(checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(2, 1, local(2, 10), local(2, 11)),
                          stay(2, 2, local(2, 8), local(2, 9)), stay(6, 2, local(2, 8)),
                          stay(2, 2, local(3, 12), local(3, 13)),
                          stay(4, 2, local(3, 12, 30), local(3, 14))],
                households=[Household(2, 5), Household(3, 5)],
                quarantined={2: local(4, 9)}, policy=ContactPolicy())
    assert run(tmp_path, data, engine) == [
        row(2, "close", "venue", local(2, 10), local(2, 11), minutes=60, venue=1),
        row(3, "secondary", "household", local(2, 10), local(4, 9), via=2),
        row(4, "secondary", "venue", local(3, 12, 30), local(3, 13), minutes=30, venue=2,
            via=2)]


@pytest.mark.parametrize("engine", ENGINES)
def test_secondary_excluded_when_close_and_earliest_candidate_wins(tmp_path: Path,
                                                                   engine: str) -> None:
    """4 meets close contact 2 but is a close contact itself: close only. 5 meets close
    contacts 2 (12:00) and 3 (11:00): the earlier, via 3, wins. Policy off: no secondaries."""
    data = city(checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(2, 1, local(2, 10), local(2, 11)),
                          stay(3, 1, local(2, 10), local(2, 11)),
                          stay(4, 1, local(2, 10, 30), local(2, 11)),
                          stay(2, 2, local(2, 12), local(2, 13)),
                          stay(4, 2, local(2, 12), local(2, 13)),
                          stay(5, 2, local(2, 12), local(2, 13)),
                          stay(3, 3, local(2, 11), local(2, 11, 20)),
                          stay(5, 3, local(2, 11), local(2, 11, 20))], policy=ContactPolicy())
    close = [row(p, "close", "venue", local(2, 10, m), local(2, 11), minutes=60 - m, venue=1)
             for p, m in ((2, 0), (3, 0), (4, 30))]
    assert run(tmp_path, data, engine) == [
        *close, row(5, "secondary", "venue", local(2, 11), local(2, 11, 20), minutes=20,
                    venue=3, via=3)]
    off = city(checkins=data.checkins, policy=ContactPolicy(secondary=False))
    assert run(tmp_path / "off", off, engine) == close


def pings(person: int, *minutes: int) -> list[Ping]:
    """Pings at POINT, one per 5-minute bucket starting at 2022-04-02 10:00 + m."""
    return [Ping(person, local(2, 10, m).astimezone(dt.UTC), *POINT) for m in minutes]


@pytest.mark.parametrize("engine", ENGINES)
def test_companion_needs_two_shared_buckets(tmp_path: Path, engine: str) -> None:
    """Shared buckets 10:00 and 10:05 (not necessarily the same ping minute); 3 shares one;
    4 shares two but is a close contact (close only); 5 pings elsewhere."""
    data = city(pings=[*pings(1, 1, 6, 30), *pings(2, 4, 9), *pings(3, 2, 20), *pings(4, 1, 6),
                       Ping(5, local(2, 10, 1).astimezone(dt.UTC), 31.30, 121.50),
                       Ping(5, local(2, 10, 6).astimezone(dt.UTC), 31.30, 121.50)],
                checkins=[stay(1, 1, local(3, 10), local(3, 11)),
                          stay(4, 1, local(3, 10), local(3, 11))])
    assert run(tmp_path, data, engine) == [
        row(4, "close", "venue", local(3, 10), local(3, 11), minutes=60, venue=1),
        row(2, "companion", "cell", local(2, 10), local(2, 10, 10), minutes=10, cell=CELL)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_case_is_never_a_contact(tmp_path: Path, engine: str) -> None:
    """Cases 1 and 2 meet, share a household and pings: no rows between them."""
    data = city(cases=[case(), case(102, 2)],
                checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(2, 1, local(2, 10), local(2, 11))],
                households=[Household(1, 1), Household(2, 1)],
                pings=[*pings(1, 0, 5), *pings(2, 0, 5)])
    assert run(tmp_path, data, engine) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_an_empty_window_leaves_household_contacts_only(tmp_path: Path, engine: str) -> None:
    """Isolated before the window opens: household rows with last = first = W0."""
    isolated = dt.datetime(2022, 3, 29, 8, tzinfo=SH)
    data = city(cases=[case(isolated=isolated)],
                checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(3, 1, local(2, 10), local(2, 11))],
                households=[Household(1, 1), Household(2, 1)],
                pings=[*pings(1, 0, 5), *pings(3, 0, 5)])
    assert run(tmp_path, data, engine) == [row(2, "close", "household", W0, W0)]


@pytest.mark.parametrize("engine", ENGINES)
def test_secondary_ties_with_large_and_negative_ids(tmp_path: Path, engine: str) -> None:
    """Close contacts 2⁴⁰+2 and 2⁴⁰+3 each meet P = 2⁴⁰+9 from the same second, the first
    at two venues at once (2⁶² and −7): the smallest via wins, then the smallest venue."""
    c2, c3, p, big = 2**40 + 2, 2**40 + 3, 2**40 + 9, 2**62
    data = city(checkins=[stay(1, 1, local(2, 10), local(2, 11)),
                          stay(c2, 1, local(2, 10), local(2, 11)),
                          stay(c3, 1, local(2, 10), local(2, 11)),
                          stay(c2, big, local(2, 12), local(2, 13)),
                          stay(c2, -7, local(2, 12), local(2, 12, 40)),
                          stay(c3, 5, local(2, 12), local(2, 14)),
                          stay(p, big, local(2, 12), local(2, 13)),
                          stay(p, -7, local(2, 12), local(2, 13)),
                          stay(p, 5, local(2, 12), local(2, 14))], policy=ContactPolicy())
    close = [row(c, "close", "venue", local(2, 10), local(2, 11), minutes=60, venue=1)
             for c in (c2, c3)]
    assert run(tmp_path, data, engine) == [
        *close, row(p, "secondary", "venue", local(2, 12), local(2, 13), minutes=60, venue=-7,
                    via=c2)]
