"""Demo of the anomaly part: 60 days of pharmacy sales of the four watched classes and of
fever-clinic visits per street (Poisson daily counts), a rise in ONE street of the first
district over the last 4 complete days, then the real daily scan over those days, which finds
the rise (an ``Anomaly``, and through the command hook one directive task for the street).

The rise is put in the stream the policy in force scans: fever reducers while the pharmacy
sentinel runs, fever-clinic visits after it ended (3 December 2022: today's demo).

Levels per street and day follow the city's size (Beijing's ~32,000 records a day for ~22
million people: ~1.5 per 1,000 residents, china-practice.md §5) with a floor at the method's
``min_expected``, so every series is judged on a small demo city too.

History older than 72 hours is bulk-inserted with its audit rows: a sale that old moves no
health code. Sales of the last 72 hours go through the pharmacy's real CSV upload
(``healthcode.reports.do_import_purchases``), which recomputes the buyers' codes. Clinic
visits are bulk-inserted as sampled at the visit, so none owes a follow-up. Seeding again
does nothing (a marker audit row)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.audit import audit_row, record, record_many, snapshot
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, AuditLog, Level
from fangkong.core.rights import Right
from fangkong.healthcode.models import Purchase
from fangkong.healthcode.reports import do_import_purchases
from fangkong.registry.models import Person, Venue, VenueType
from fangkong.warning.anomaly import PHARMACY, do_scan
from fangkong.warning.models import ClinicVisit, Stream
from fangkong.warning.policy import warning_rules

HISTORY_DAYS = 60
RISE_DAYS = 4
RISE_FACTOR = 3.0
RECENT = dt.timedelta(hours=72)  # a sale this recent moves the buyer's code
PER_1000: dict[str, float] = {  # a day, per 1,000 residents
    Stream.FEVER: 0.6, Stream.COUGH: 0.4, Stream.ANTIBIOTIC: 0.3, Stream.ANTIVIRAL: 0.2,
    Stream.CLINIC: 0.3}
FLOOR: dict[str, float] = {
    Stream.FEVER: 6.0, Stream.COUGH: 5.0, Stream.ANTIBIOTIC: 4.0, Stream.ANTIVIRAL: 3.5,
    Stream.CLINIC: 4.0}
MARKER = "warning.demo.anomaly"
DEMO = Actor(user_id=None, username="demo:warning-anomaly", unit=None)


@dataclass(frozen=True)
class Street:
    unit: AdminUnit
    buyers: list[int]  # residents' person ids (with an ID number)
    pharmacy: Venue | None
    hospital: Venue | None


@dataclass(frozen=True)
class Plan:
    first: dt.date  # the first day of history
    rise_from: dt.date  # the first day of the rise; the last is yesterday
    rising: str  # the stream that rises
    target: int  # the street (unit pk) where it rises


def seed_anomaly(*, seed: int = 2022) -> dict[str, int]:
    """History, rise and scan (once); counts of what was stored and found."""
    if AuditLog.objects.filter(verb=MARKER).exists():
        return {"purchases": 0, "visits": 0, "scanned_days": 0, "anomalies": 0}
    streets = _streets()
    today = clock.city_today()
    rules = warning_rules(on=today - dt.timedelta(days=1))
    rising = Stream.FEVER if rules.pharmacy_sentinel else Stream.CLINIC
    target = _target(streets, rising)
    if target is None:
        return {"purchases": 0, "visits": 0, "scanned_days": 0, "anomalies": 0}
    plan = Plan(first=today - dt.timedelta(days=HISTORY_DAYS),
                rise_from=today - dt.timedelta(days=RISE_DAYS), rising=rising, target=target)
    rng = np.random.default_rng(seed)
    purchases, visits = _sales(streets, plan, rng), _visits(streets, plan, rng)
    stored = _store(purchases, visits)
    found = sum(do_scan(day=plan.rise_from + dt.timedelta(days=k)).created
                for k in range(RISE_DAYS))
    counts = {"purchases": stored, "visits": len(visits), "scanned_days": RISE_DAYS,
              "anomalies": found}
    record(actor=DEMO, verb=MARKER, target=None, after={**counts, "rising": rising,
                                                          "street": target})
    return counts


def _streets() -> list[Street]:
    """The streets with residents, each with a pharmacy and a hospital nearby (its own
    street's, else its district's, else the city's first; none when the city has none)."""
    venues = list(Venue.objects.filter(type__in=[VenueType.PHARMACY, VenueType.HOSPITAL],
                                       grid__isnull=False).order_by("venue_code"))
    buyers: dict[int, list[int]] = defaultdict(list)
    people = (Person.objects.filter(inactive_since__isnull=True, street__isnull=False)
              .exclude(id_number="").order_by("pk").values_list("street_id", "pk"))
    for street_id, pk in people:
        buyers[street_id].append(pk)
    units = AdminUnit.objects.filter(level=Level.STREET, pk__in=buyers).order_by("code")
    return [Street(unit, buyers[unit.pk], _near(venues, unit, VenueType.PHARMACY),
                   _near(venues, unit, VenueType.HOSPITAL)) for unit in units]


def _near(venues: list[Venue], street: AdminUnit, kind: str) -> Venue | None:
    of_kind = [v for v in venues if v.type == kind]
    return next((v for v in of_kind if v.street_id == street.pk), None) or next(
        (v for v in of_kind if v.district_id == street.district_id), None) or next(
        iter(of_kind), None)


def _target(streets: list[Street], rising: str) -> int | None:
    """The first district's first street that can show the rise."""
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
    able = [s for s in streets if rising != Stream.CLINIC or s.hospital is not None]
    first = [s for s in able if district and s.unit.district_id == district.pk]
    chosen = (first or able)[:1]
    return chosen[0].unit.pk if chosen else None


def _level(street: Street, stream: str) -> float:
    return max(FLOOR[stream], len(street.buyers) * PER_1000[stream] / 1000)


def _moments(rng: np.random.Generator, day: dt.date, n: int) -> list[dt.datetime]:
    """``n`` times of ``day`` in opening hours (08:00 to 22:00, city time), whole seconds."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
    return [start + dt.timedelta(seconds=int(s))
            for s in rng.integers(0, 14 * 3600, size=n)]


def _daily(street: Street, stream: str, plan: Plan, rng: np.random.Generator,
           day: dt.date) -> list[dt.datetime]:
    rate = _level(street, stream)
    if stream == plan.rising and street.unit.pk == plan.target and day >= plan.rise_from:
        rate *= RISE_FACTOR
    return _moments(rng, day, int(rng.poisson(rate)))


def _days(plan: Plan) -> list[dt.date]:
    return [plan.first + dt.timedelta(days=k) for k in range(HISTORY_DAYS)]


def _sales(streets: list[Street], plan: Plan, rng: np.random.Generator) -> list[Purchase]:
    return [Purchase(person_id=int(rng.choice(street.buyers)), venue=street.pharmacy,
                     drug_class=stream, bought_at=at)
            for street in streets for stream in PHARMACY for day in _days(plan)
            for at in _daily(street, stream, plan, rng, day)]


def _visits(streets: list[Street], plan: Plan, rng: np.random.Generator) -> list[ClinicVisit]:
    rows = []
    for street in streets:
        if street.hospital is None:
            continue
        for day in _days(plan):
            for n, at in enumerate(_daily(street, Stream.CLINIC, plan, rng, day)):
                fever = 37.3 + float(rng.integers(0, 18)) / 10
                rows.append(ClinicVisit(
                    clinic=street.hospital, person_id=int(rng.choice(street.buyers)),
                    visited_at=at, temperature=f"{fever:.1f}", sampled=True,
                    client_key=f"demo-anomaly-{street.unit.pk}-{day:%Y%m%d}-{n}",
                    recorded_at=at))
    return rows


def _store(purchases: list[Purchase], visits: list[ClinicVisit]) -> int:
    """Old sales and all visits in bulk with their audit rows; recent sales by upload."""
    cut = clock.now() - RECENT
    old = [p for p in purchases if p.bought_at < cut]
    recent = [p for p in purchases if p.bought_at >= cut]
    with transaction.atomic():
        for rows in (old, visits):
            _at_residence(rows)
        Purchase.objects.bulk_create(old, batch_size=1000)
        ClinicVisit.objects.bulk_create(visits, batch_size=1000)
        record_many([audit_row(actor=DEMO, verb=verb, target=row, after=snapshot(row))
                     for verb, rows in (("healthcode.purchase.report", old),
                                        ("warning.clinic.visit", visits)) for row in rows])
    return len(old) + _upload(recent)


def _at_residence(rows: list[Purchase] | list[ClinicVisit]) -> None:
    """Placed as the real actions place them: at the person's residence."""
    homes = {p.pk: p for p in Person.objects.filter(pk__in={r.person_id for r in rows})
             .only("district_id", "street_id", "community_id", "grid_id")}
    for row in rows:
        home = homes[row.person_id]  # type: ignore[index]
        row.district_id, row.street_id = home.district_id, home.street_id
        row.community_id, row.grid_id = home.community_id, home.grid_id


def _upload(recent: list[Purchase]) -> int:
    """Each pharmacy's sales of the last 72 hours as its CSV upload (codes recomputed)."""
    city = AdminUnit.objects.filter(level=Level.CITY).order_by("pk").first()
    pharmacist = Actor(user_id=None, username="demo:pharmacy", unit=city,
                       rights=frozenset({Right.HEALTHCODE_REPORT}))
    ids = dict(Person.objects.filter(pk__in={p.person_id for p in recent})
               .values_list("pk", "id_number"))
    files: dict[int | None, list[str]] = defaultdict(list)
    for p in recent:
        stamp = timezone.localtime(p.bought_at).isoformat()
        files[p.venue.pk if p.venue else None].append(f"{ids[p.person_id]},{p.drug_class},{stamp}")
    stored = 0
    for venue_id, lines in files.items():
        data = ("id_number,drug_class,bought_at\n" + "\n".join(lines) + "\n").encode()
        stored += do_import_purchases(actor=pharmacist, data=data, venue_id=venue_id).stored
    return stored
