"""The health-code part of the demo, built once through the platform's own actions, each at its
moment of the story (``demo_steps.at``), under the rule version in force today.

* A signing key (``keys.ensure_active_key``), then every resident's code
  (``recompute.do_recompute_all``): red for cases and people in centralised quarantine,
  yellow for residents of sealed buildings and people in their home phase.
* **Pop-ups**: ``lab1`` receives the newest box of screening round 2 still on the road and
  reports one pool positive, so its members are held for a retest (pool on hold); the city
  records a few arrivals from elsewhere with no test since (test missing); ``pharmacy1``
  reports a few sales of fever medicine (a pop-up only under a version with the pharmacy rule:
  it ended on 3 December 2022).
* **Misuse**: ``officer1`` asks to turn a resident red whom the platform links to nothing; the
  request waits on the approvals page with the warning in red for a second person.
* A resident of a sealed building appeals; a few residents check in at the venue of ``door1``
  (the gate page's venue) by scanning its code.

The tracing demo's contacts are dated from the synthetic outbreak, long past every contact
period, so no colour comes from them today.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AdminUnit, Approval, Level
from fangkong.healthcode import abuse, appeals, changes, checkins, keys, recompute, reports
from fangkong.healthcode.logic import COLOURS
from fangkong.healthcode.models import (
    Appeal,
    Arrival,
    Checkin,
    DrugClass,
    PersonCode,
    Purchase,
)
from fangkong.healthcode.policy import code_rules
from fangkong.quarantine.models import OPEN_STATUSES, QuarantineOrder
from fangkong.registry.models import Person, Venue, VenueType
from fangkong.risk.demo import moment
from fangkong.risk.models import AreaStatus, RiskArea, RiskLevel
from fangkong.risk.queries import area_members
from fangkong.testing import actions_lab
from fangkong.testing.demo_steps import at, received_by_lab, report
from fangkong.testing.models import Box, Sample, Tube

ARRIVALS = 6  # arrivals with no test since, reported by the city (a station's list)
SALES = 5  # fever-medicine sales reported by ``pharmacy1``
CHECKINS = 8  # residents of the gate venue's grid who scan its code today
FRESH_BOX = dt.timedelta(hours=3)  # the lost-box alert fires at 4 h
GATE_TYPES = (VenueType.SUPERMARKET, VenueType.MARKET, VenueType.MALL)
CHANGE_REASON = "群众举报其曾外出，要求赋红码（未经流调核实）"
APPEAL_TEXT = "我已于上周搬离该楼栋，现住在亲戚家，请核实后调整健康码。"


@dataclass
class Cast:
    """Who does what in the story."""

    admin: Actor  # records arrivals (the city's list from the stations)
    officer: Actor  # the first district's officer: asks for the manual change
    pharmacy: Actor | None  # ``pharmacy1``: reports sales
    lab: Actor | None  # ``lab1``: receives the box and reports the positive pool
    rnd: random.Random


def districts() -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code")[:2])


def _venue(types: tuple[str, ...]) -> Venue | None:
    """The first venue of ``types`` by code, in the first district if it has one."""
    found = Venue.objects.filter(type__in=types, grid__isnull=False).order_by("venue_code")
    return found.filter(district__in=districts()[:1]).first() or found.first()


def gate_venue() -> Venue | None:
    """The first district's shop whose door ``door1`` keeps (the gate page's venue)."""
    return _venue(GATE_TYPES) or _venue(tuple(VenueType.values))


def pharmacy_venue() -> Venue | None:
    """The pharmacy where ``pharmacy1`` works (the first district's, if it has one)."""
    return _venue((VenueType.PHARMACY,))


def seed_demo_healthcode(*, cast: Cast, progress: bool = False) -> dict[str, Any]:
    """Key, story (once: nothing when any of its rows exists) and every resident's code (when
    the story ran, or when some resident has none)."""
    started = time.monotonic()
    key = keys.ensure_active_key()
    ran = not any(qs.exists() for qs in story_rows()) and bool(districts())
    if ran:
        with transaction.atomic():  # all or nothing: a failed seed is tried again next time
            _story(cast, clock.now())
    residents = Person.objects.filter(inactive_since__isnull=True).count()
    if ran or PersonCode.objects.filter(person__inactive_since__isnull=True).count() < residents:
        recompute.run_recompute_all(progress=progress)
    return {**code_counts(), "key": key.kid, "seconds": round(time.monotonic() - started)}


def story_rows() -> list[QuerySet[Any]]:
    """What the story writes: any of it there means the story was told."""
    return [Approval.objects.filter(kind=changes.KIND), Arrival.objects.all(),
            Purchase.objects.all(), Appeal.objects.all(), Checkin.objects.all()]


def code_counts() -> dict[str, int]:
    by_colour = dict(PersonCode.objects.values_list("colour").annotate(n=Count("pk")))
    return {**{c: by_colour.get(c, 0) for c in COLOURS},
            "pop-ups": PersonCode.objects.exclude(flags=[]).count()}


def _story(cast: Cast, now: dt.datetime) -> None:
    _positive_pool(cast, now)
    arrived = _arrivals(cast, now)
    _sales(cast, now, exclude=arrived)
    _unlinked_change(cast, now)
    _appeal(now)
    _checkins(cast, now)


# ---------------------------------------------------------------- pop-ups


def _positive_pool(cast: Cast, now: dt.datetime) -> None:
    """The newest round-2 box on the road reaches its lab; its fullest pool is positive (a
    box on the road longer than ``FRESH_BOX`` is the screening story's lost box: left alone)."""
    box = (Box.objects.filter(campaign__code="R2", received_at__isnull=True, lab__isnull=False,
                              handed_over_at__gte=now - FRESH_BOX)
           .order_by("-handed_over_at", "-pk").first())
    if cast.lab is None or box is None or box.handed_over_at is None:
        return
    received = max(min(box.handed_over_at + dt.timedelta(minutes=40),
                       now - dt.timedelta(minutes=20)), box.handed_over_at)
    with at(received):
        actions_lab.do_receive_box(actor=cast.lab, box_id=box.pk)
    codes = received_by_lab(box.campaign_id).get(box.lab_id or 0, [])
    pooled = list(Tube.objects.filter(code__in=codes, capacity__gt=1)
                  .annotate(n=Count("samples")).filter(n__gt=0).order_by("-n", "code")
                  .values_list("code", flat=True)[:1])
    if not codes or not pooled:
        return
    outcome = {c: "positive" if c in pooled else "negative" for c in codes}
    report(lab=cast.lab, lab_id=box.lab_id or 0, key=f"demo-healthcode-{box.code}",
           outcome=outcome, when=max(received + dt.timedelta(minutes=5),
                                     min(received + dt.timedelta(hours=1), now)))


def unsampled(district: AdminUnit) -> QuerySet[Person]:
    """Residents of ``district`` with no screening sample at all."""
    return (Person.objects.filter(district=district, inactive_since__isnull=True,
                                  temporary=False)
            .filter(~Exists(Sample.objects.filter(person=OuterRef("pk")))).order_by("pk"))


def untested(district: AdminUnit) -> QuerySet[Person]:
    """Residents of ``district`` with an ID number (a reporter names them by it) and no
    screening sample at all."""
    return unsampled(district).exclude(id_number="").exclude(id_number__isnull=True)


def _chosen(cast: Cast, people: QuerySet[Person], n: int) -> list[Person]:
    pool = list(people[:200])
    return cast.rnd.sample(pool, min(n, len(pool)))


def _arrivals(cast: Cast, now: dt.datetime) -> list[int]:
    """Residents of the second district back by last night's train, untested since."""
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    people = _chosen(cast, untested(districts()[-1]), ARRIVALS)
    for n, person in enumerate(people):
        arrived = moment(yesterday, 19 + n / 2, now=now)
        with at(arrived + dt.timedelta(minutes=30)):
            reports.do_report_arrival(actor=cast.admin, person_id=person.pk, arrived_at=arrived,
                                      origin="上海市（火车站申报）")
    return [p.pk for p in people]


def _sales(cast: Cast, now: dt.datetime, *, exclude: list[int]) -> None:
    """Untested residents of the second district buy fever medicine this morning."""
    pharmacy = pharmacy_venue()
    if cast.pharmacy is None:
        return
    today = timezone.localdate(now)
    buyers = _chosen(cast, untested(districts()[-1]).exclude(pk__in=exclude), SALES)
    for n, person in enumerate(buyers):
        bought = moment(today, 8 + n, now=now)
        with at(bought + dt.timedelta(minutes=1)):
            reports.do_report_purchase(actor=cast.pharmacy, drug_class=DrugClass.FEVER,
                                       bought_at=bought, id_number=person.id_number or "",
                                       venue_id=pharmacy.pk if pharmacy else None)


# ---------------------------------------------------------------- misuse, appeal, check-ins


def unlinked_people(district: AdminUnit, *, now: dt.datetime) -> Iterator[Person]:
    """Residents of ``district`` the platform links to no fact (the Henan depositors' case)."""
    days = abuse.longest_status_days(code_rules(on=timezone.localdate(now)))
    for person in unsampled(district)[:500]:
        if not abuse.links_of(person, at=now, days=days):
            yield person


def _unlinked_change(cast: Cast, now: dt.datetime) -> None:
    person = next(unlinked_people(districts()[0], now=now), None)
    if person is None:
        return
    with at(now - dt.timedelta(minutes=15)):
        changes.do_request_change(actor=cast.officer, person_id=person.pk, colour="red",
                                  reason=CHANGE_REASON, days=7)


def _appeal(now: dt.datetime) -> None:
    """A resident of the first sealed building (neither a case nor in quarantine: yellow for
    the area alone) says they no longer live there."""
    area = (RiskArea.objects.filter(level=RiskLevel.SEALED, status=AreaStatus.ACTIVE)
            .order_by("pk").first())
    ordered = QuarantineOrder.objects.filter(person=OuterRef("pk"), status__in=OPEN_STATUSES)
    candidates = (area_members(area).exclude(cases__isnull=False).filter(~Exists(ordered))
                  .order_by("pk")[:20] if area is not None else [])
    person = next((p for p in candidates if recompute.do_recompute_person(
        person_id=p.pk, now=now).colour == "yellow"), None)  # yellow for the area alone
    if person is None:
        return
    with at(now - dt.timedelta(minutes=40)):
        appeals.do_file_appeal(person=person, message=APPEAL_TEXT,
                               client_key=f"demo-appeal-{person.pk}")


def _checkins(cast: Cast, now: dt.datetime) -> None:
    """Residents of the gate venue's grid scan its code this morning (each upload once)."""
    venue = gate_venue()
    if venue is None:
        return
    people = Person.objects.filter(grid_id=venue.grid_id, inactive_since__isnull=True)
    today = timezone.localdate(now)
    for n, person in enumerate(_chosen(cast, people.order_by("pk"), CHECKINS)):
        when = moment(today, 9 + n / 4, now=now)
        checkins.do_record_checkins(
            person=person, now=when + dt.timedelta(minutes=1),
            items=[{"venue_token": checkins.venue_token(venue), "ts": when.isoformat(),
                    "client_key": f"demo-checkin-{person.pk}"}])


def demo_residents() -> dict[str, Person]:
    """A red and a green resident of the first district (their links are printed)."""
    first = districts()[:1]
    found: dict[str, Person] = {}
    for colour in ("red", "green"):
        code = (PersonCode.objects.filter(colour=colour, flags=[], person__district__in=first,
                                          person__inactive_since__isnull=True)
                .select_related("person").order_by("person_id").first())
        if code is not None:
            found[colour] = code.person
    return found

