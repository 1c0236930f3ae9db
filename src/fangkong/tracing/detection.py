"""Contact detection for a case: run the engine over the movement data, then upsert the
``Contact`` rows keyed by (person, case, type), keeping every row's workflow state.

The engine is Django-free; this module gives it its inputs (the movement folder, a cases
file of *every* case in the database so that no case is ever listed as a contact, the policy
in force on the case's sample date, and when each close contact's quarantine began) and
stores what it returns. The engine runs outside the transaction; the upsert, the case's
``contacts_run_at`` and the audit row are one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.bulk import insert_rows
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Person, Venue
from fangkong.tracing.engine.base import ContactPolicy, Sources
from fangkong.tracing.models import Case, Contact, ContactRule, ContactStatus, ContactType
from fangkong.tracing.movement import movement_dir
from fangkong.tracing.policy import contact_policy

CASES_SCHEMA = pa.schema([("case_id", pa.int64()), ("person_id", pa.int64()),
                          ("onset_date", pa.date32()), ("sample_date", pa.date32()),
                          ("classification", pa.string()),
                          ("isolated_at", pa.timestamp("s", tz="UTC"))])
EXPOSURE = ("rule", "via_person_id", "venue_id", "cell", "first_exposure", "last_exposure",
            "overlap_minutes")
log = logging.getLogger(__name__)
CHUNK = 500  # ids per IN (…) list: well under SQLite's variable limit
NEW_STATE = {"status": ContactStatus.IDENTIFIED.value, "owner_id": None, "notified_at": None,
             "located_at": None, "transferred_at": None, "disposition": "", "destination": "",
             "escalated_at": None}


@dataclass(frozen=True)
class DetectionResult:
    case_id: int
    counts: dict[str, int]  # "close/household", "secondary/venue", "companion/cell" … → rows
    new: int
    updated: int
    unchanged: int
    skipped: int  # persons the engine found who are not in the registry
    removed: int  # untouched rows (identified, unassigned) the engine no longer finds
    seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)


def write_cases_file(path: Path) -> Path:
    """Every case in the database in the contract's ``cases`` layout."""
    rows = list(Case.objects.order_by("pk").values_list(
        "pk", "person_id", "onset_date", "sample_date", "classification", "isolated_at"))
    table = pa.table({name: pa.array([r[i] for r in rows], type=CASES_SCHEMA.field(name).type)
                      for i, name in enumerate(CASES_SCHEMA.names)})
    pq.write_table(table, path)
    return path


def quarantine_starts() -> dict[int, dt.datetime]:
    """Person → when their quarantine as a close contact (of any case) began."""
    rows = (Contact.objects.filter(contact_type=ContactType.CLOSE, transferred_at__isnull=False)
            .values("person_id").annotate(start=Min("transferred_at")))
    return {r["person_id"]: r["start"] for r in rows}


def sources(*, cases_file: Path, quarantined: dict[int, dt.datetime]) -> Sources:
    root = movement_dir()
    if not (root / "checkins").exists():
        log.warning("contact detection: no checkins/ under %s", root)
        raise DomainError(_("no movement data has been loaded (check-ins are missing); "
                            "ask the administrator to set FANGKONG_MOVEMENT_DIR"),
                          field="movement_dir")
    pings, households = root / "pings", root / "households.parquet"
    return Sources(checkins=root / "checkins", cases=cases_file,
                   pings=pings if pings.exists() else None,
                   households=households if households.exists() else None,
                   quarantined=quarantined)


def run_engine(*, case_ids: frozenset[int], policy: ContactPolicy, as_of: dt.datetime,
               quarantined: dict[int, dt.datetime] | None = None) -> pa.Table:
    """The engine's rows for ``case_ids`` (in OUTPUT_SCHEMA); input errors name the file."""
    from fangkong.tracing.engine import detect_contacts

    with tempfile.TemporaryDirectory(prefix="fangkong-cases-") as tmp:
        cases_file = write_cases_file(Path(tmp) / "cases.parquet")
        inputs = sources(cases_file=cases_file,
                         quarantined=quarantine_starts() if quarantined is None else quarantined)
        try:
            return detect_contacts(sources=inputs, policy=policy, as_of=as_of,
                                   engine=settings.TRACE_ENGINE, case_ids=case_ids)
        except ValueError as exc:
            raise DomainError(_("movement data: %(problem)s") % {"problem": exc},
                              field="movement_dir") from exc


def _existing_ids(model: type[Person] | type[Venue], ids: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(ids)
    for lo in range(0, len(ordered), CHUNK):
        found |= set(model.objects.filter(pk__in=ordered[lo:lo + CHUNK])
                     .values_list("pk", flat=True))
    return found


def _places(ids: list[int]) -> dict[int, tuple[Any, ...]]:
    places: dict[int, tuple[Any, ...]] = {}
    for lo in range(0, len(ids), CHUNK):
        for pk, *place in Person.objects.filter(pk__in=ids[lo:lo + CHUNK]).values_list(
                "pk", "district_id", "street_id", "community_id", "grid_id"):
            places[pk] = tuple(place)
    return places


def _exposure(row: dict[str, Any], venues: set[int], persons: set[int]) -> dict[str, Any]:
    return {"rule": row["rule"],
            "via_person_id": row["via_person_id"] if row["via_person_id"] in persons else None,
            "venue_id": row["venue_id"] if row["venue_id"] in venues else None,
            "cell": row["cell"] or "", "first_exposure": row["first_exposure"],
            "last_exposure": row["last_exposure"], "overlap_minutes": row["overlap_minutes"]}


def _insert(rows: list[dict[str, Any]]) -> None:
    """Write new contacts as plain tuples (COPY on PostgreSQL, executemany on SQLite): the
    ORM's ``bulk_create`` spends most of its time building and compiling each row."""
    fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
    columns: list[str] = [str(f.column) for f in fields]
    stamps = {f.attname for f in fields if isinstance(f, models.DateTimeField)}
    adapt = functools.lru_cache(maxsize=65536)(connection.ops.adapt_datetimefield_value)
    tuples = [tuple(adapt(row[f.attname]) if f.attname in stamps and row[f.attname] is not None
                    else row[f.attname] for f in fields) for row in rows]
    for lo in range(0, len(tuples), 5000):
        insert_rows(table=Contact._meta.db_table, columns=columns, rows=tuples[lo:lo + 5000])


def _new_row(*, case: Case, key: tuple[int, str], values: dict[str, Any],
             place: tuple[Any, ...], identified_at: dt.datetime) -> dict[str, Any]:
    district, street, community, grid = place
    return {"person_id": key[0], "index_case_id": case.pk, "contact_type": key[1], **values,
            "identified_at": identified_at, **NEW_STATE, "district_id": district,
            "street_id": street, "community_id": community, "grid_id": grid}


def store_contacts(*, case: Case, rows: list[dict[str, Any]], identified_at: dt.datetime,
                   prepare: Callable[[dict[str, Any]], None] | None = None) -> DetectionResult:
    """Upsert one case's engine rows (caller holds the transaction). New rows start
    identified at ``identified_at``; existing rows keep status, owner and timestamps.
    ``prepare`` may adjust each new row's values before it is written (the demo's
    simulated history)."""
    places = _places(sorted({r["person_id"] for r in rows}))
    venues = _existing_ids(Venue, {r["venue_id"] for r in rows if r["venue_id"] is not None})
    vias = _existing_ids(Person, {r["via_person_id"] for r in rows
                                  if r["via_person_id"] is not None})
    existing = {(c.person_id, c.contact_type): c
                for c in Contact.objects.filter(index_case=case)}
    new, changed, seen = [], [], set()
    counts: Counter[str] = Counter()
    for row in rows:
        key = (row["person_id"], row["contact_type"])
        if key[0] not in places or key in seen:
            continue
        seen.add(key)
        counts[f"{row['contact_type']}/{row['rule']}"] += 1
        values = _exposure(row, venues, vias)
        old = existing.get(key)
        if old is None:
            new.append(_new_row(case=case, key=key, values=values, place=places[key[0]],
                                identified_at=identified_at))
            if prepare is not None:
                prepare(new[-1])
        elif any(getattr(old, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(old, k, v)
            changed.append(old)
    _insert(new)
    Contact.objects.bulk_update(changed, list(EXPOSURE), batch_size=CHUNK)
    removed = _drop_untouched(existing, seen)
    return DetectionResult(
        case_id=case.pk, counts=dict(sorted(counts.items())), new=len(new),
        updated=len(changed), unchanged=len(seen) - len(new) - len(changed),
        skipped=len({r["person_id"] for r in rows} - set(places)), removed=removed,
        by_type=dict(sorted(Counter(k.split("/")[0] for k in counts.elements()).items())))


def _drop_untouched(existing: dict[tuple[int, str], Contact], seen: set[tuple[int, str]]
                    ) -> int:
    """Rows the engine no longer finds and nobody has worked on yet go; the rest stay, and
    so do contacts a tracer confirmed from a report (the engine never finds those)."""
    stale = [c.pk for k, c in existing.items() if k not in seen
             and c.status == ContactStatus.IDENTIFIED and c.owner_id is None
             and c.rule != ContactRule.REPORTED]
    for lo in range(0, len(stale), CHUNK):
        Contact.objects.filter(pk__in=stale[lo:lo + CHUNK]).delete()
    return len(stale)


def rows_by_case(table: pa.Table) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in table.to_pylist():
        grouped.setdefault(row["index_case_id"], []).append(row)
    return grouped


def do_detect_contacts(*, actor: Actor, case_id: int, as_of: dt.datetime | None = None
                       ) -> DetectionResult:
    """Find the case's close and secondary contacts and companions as of ``as_of`` (now)
    under the policy in force on its sample date, and store them."""
    actor.require(Right.TRACING_INVESTIGATE)
    case = get_scoped(Case.objects.all(), actor, what="case", pk=case_id)
    as_of = as_of or clock.now()
    began = time.perf_counter()
    table = run_engine(case_ids=frozenset({case.pk}), as_of=as_of,
                       policy=contact_policy(on=case.sample_date))
    rows = rows_by_case(table).get(case.pk, [])
    with transaction.atomic():
        case = get_scoped(Case.objects.select_for_update(), actor, what="case", pk=case_id)
        result = store_contacts(case=case, rows=rows, identified_at=as_of)
        case.contacts_run_at = as_of
        case.save(update_fields=["contacts_run_at"])
        result = replace(result, seconds=round(time.perf_counter() - began, 3))
        record(actor=actor, verb="tracing.case.detect", target=case,
               after={**asdict(result), "as_of": str(as_of), "engine": settings.TRACE_ENGINE})
    return result
