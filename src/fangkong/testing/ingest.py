"""Storing a sampler's batch: open a tube, scan persons into it, seal it.

Idempotent on ``ScanBatch.client_key``: a resent batch gets the stored answer and stores
nothing. Everything of a batch is one transaction with one audit row (not one per scan).

Vectorised so a round of millions ingests at a rate near the database's bulk load: a fixed
number of queries per batch whatever its size (the tubes by code, locked; the persons by ID
number; who of them is sampled already; their single-tube reasons; the open holds when the
batch has retest tubes), the rules walked in memory in the device's order, then one
``bulk_create`` of samples (and of visitors) and one bulk update of the tubes.

Races: the batch's tubes are locked (``select_for_update``, in pk order), so two devices
cannot over-fill one tube; the one-screening-sample-per-person rule is the database's
conditional unique constraint, and a batch that trips it (another device sampled the same
person a moment earlier) is rolled back and walked again, so its answer says
``already_sampled`` instead of failing. A resend racing the first send of a key trips the
unique key and is then answered from the stored batch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.bulk import insert_rows, update_rows
from fangkong.core.errors import Conflict
from fangkong.core.jurisdiction import Actor
from fangkong.core.privacy import mask_id_number
from fangkong.registry.models import Person
from fangkong.synth.idcard import is_valid
from fangkong.testing.actions_sampling import (
    ACCEPTED,
    FUTURE_SKEW,
    Batch,
    Code,
    Event,
    check_batch,
    mask_name,
    normalise_id,
    render,
    single_tube_reasons,
)
from fangkong.testing.models import (
    Channel,
    Hold,
    HoldStatus,
    Sample,
    SampleKind,
    ScanBatch,
    Site,
    SiteKind,
    Tube,
    TubeStatus,
)

ATTEMPTS = 5  # each retry sees the batches that beat it; four devices at once need ≤ 4
USABLE = (TubeStatus.ISSUED, TubeStatus.OPEN)
PERSON_FIELDS = ("pk", "id_number", "name", "temporary", "district_id", "street_id",
                 "community_id", "grid_id")


def store_batch(*, actor: Actor, batch: Batch) -> dict[str, Any]:
    """Store a batch once and answer every event; a resend answers from the stored batch."""
    site = check_batch(actor=actor, batch=batch)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                stored = _stored(actor, batch)
                if stored is not None:
                    return render(stored.answer, resent=True)
                return render(_store(actor, batch, site), resent=False)
        except (IntegrityError, OperationalError):
            # A constraint (person sampled by another device, same key sent twice at once)
            # or a lock timeout: walk the batch again against what is now committed.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _stored(actor: Actor, batch: Batch) -> ScanBatch | None:
    found = ScanBatch.objects.filter(client_key=batch.client_key.strip()).first()
    if found is not None and (found.sampler_id != actor.user_id
                              or found.campaign_id != batch.campaign_id):
        raise Conflict(_("this client key belongs to another batch"), field="client_key")
    return found


def _store(actor: Actor, batch: Batch, site: Site) -> dict[str, Any]:
    now = clock.now()
    row = ScanBatch.objects.create(
        client_key=batch.client_key.strip(), campaign_id=batch.campaign_id, site=site,
        sampler_id=actor.user_id, device=batch.device[:64], received_at=now)
    table = _Table.load(actor=actor, site=site, batch=row, events=batch.events, now=now)
    items = [table.apply(n, event) for n, event in enumerate(batch.events)]
    table.save()
    accepted = sum(1 for item in items if item["code"] in ACCEPTED)
    row.accepted, row.rejected = accepted, len(items) - accepted
    row.answer = {"client_key": row.client_key, "accepted": row.accepted,
                  "rejected": row.rejected, "items": items}
    row.save(update_fields=["accepted", "rejected", "answer"])
    audit = record(actor=actor, verb="screening.scan_batch", target=row,
                   after={"site": site.pk, "device": row.device, "accepted": row.accepted,
                          "rejected": row.rejected,
                          "samples": len(table.samples) + len(table.scans),
                          "visitors": len(table.visitors)})
    _place(audit, site)  # district auditors see their sites' batches
    audit.save(update_fields=["district", "street", "community", "grid"])
    return row.answer


def _place(row: Any, like: Any) -> None:
    row.district_id, row.street_id = like.district_id, like.street_id
    row.community_id, row.grid_id = like.community_id, like.grid_id


@dataclass
class _Table:
    """The batch's world in memory: its tubes, the persons it names and what the rules
    need to know about them, and what the walk adds."""

    actor: Actor
    site: Site
    batch: ScanBatch
    now: dt.datetime
    tubes: dict[str, Tube]
    persons: dict[str, Person]  # by ID number; visitors join as they are registered
    sampled: set[str]  # ID numbers with a screening sample in this round
    single: dict[int, str]  # person pk → why single-tube
    holds: dict[int, Hold]  # person pk → open hold (only when the batch has retest tubes)
    samples: list[Sample] = field(default_factory=list)  # retests
    scans: list[tuple[Tube, Person, str, dt.datetime]] = field(default_factory=list)
    visitors: list[Person] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # tube codes
    retested: set[str] = field(default_factory=set)  # ID numbers retested in this batch

    @classmethod
    def load(cls, *, actor: Actor, site: Site, batch: ScanBatch, events: list[Event],
             now: dt.datetime) -> _Table:
        codes = sorted({e.tube.strip() for e in events})
        tubes = {t.code: t for t in Tube.objects.select_for_update()
                 .filter(code__in=codes).order_by("pk")}
        numbers = sorted({normalise_id(e.id_number) for e in events if e.type == "scan"})
        persons = {p.id_number or "": p for p in Person.objects
                   .filter(id_number__in=numbers).only(*PERSON_FIELDS)}
        pks = [p.pk for p in persons.values()]
        campaign_id = site.campaign_id
        by_pk = {p.pk: number for number, p in persons.items()}
        sampled = {by_pk[pk] for pk in Sample.objects.filter(
            campaign_id=campaign_id, person_id__in=pks, kind=SampleKind.SCREENING)
            .values_list("person_id", flat=True)}
        holds: dict[int, Hold] = {}
        if any(t.kind == SampleKind.RETEST for t in tubes.values()):
            holds = {h.person_id: h for h in Hold.objects.select_for_update()
                     .filter(campaign_id=campaign_id, person_id__in=pks,
                             status=HoldStatus.HELD).order_by("pk")}
        single = single_tube_reasons(campaign_id=campaign_id, persons=persons.values())
        return cls(actor=actor, site=site, batch=batch, now=now, tubes=tubes,
                   persons=persons, sampled=sampled, single=single,
                   holds=holds)

    # ------------------------------------------------------------------ the rules

    def apply(self, n: int, event: Event) -> dict[str, Any]:
        code = event.tube.strip()
        item: dict[str, Any] = {"i": n, "type": event.type, "tube": code}
        tube = self.tubes.get(code)
        item["code"] = self._tube_problem(tube, event)
        if item["code"] is None:
            assert tube is not None
            if event.type == "open":
                item["code"] = self._open(tube, event.at)
            elif event.type == "seal":
                item["code"] = self._seal(tube, event.at)
            else:
                item.update(self._scan(tube, event))
        return item

    def _tube_problem(self, tube: Tube | None, event: Event) -> Code | None:
        if event.at > self.now + FUTURE_SKEW:
            return Code.BAD_TIME
        if tube is None:
            return Code.UNKNOWN_TUBE
        if tube.campaign_id != self.site.campaign_id:
            return Code.TUBE_OF_ANOTHER_CAMPAIGN
        if tube.site_id not in (None, self.site.pk):
            return Code.TUBE_OF_ANOTHER_SITE
        if tube.status not in USABLE:
            return Code.TUBE_SEALED
        return None

    def _open(self, tube: Tube, at: dt.datetime) -> Code:
        if tube.status == TubeStatus.ISSUED:
            tube.status = TubeStatus.OPEN
            tube.sampler_id = self.actor.user_id
            if tube.site_id is None:  # issued to the round, not a site: it joins this one
                tube.site_id = self.site.pk
                _place(tube, self.site)
        tube.opened_at = min(tube.opened_at or at, at)
        self.changed.add(tube.code)
        return Code.OK

    def _seal(self, tube: Tube, at: dt.datetime) -> Code:
        if tube.members == 0:
            return Code.TUBE_EMPTY
        tube.status, tube.sealed_at = TubeStatus.SEALED, at
        self.changed.add(tube.code)
        return Code.OK

    def _scan(self, tube: Tube, event: Event) -> dict[str, Any]:
        number = normalise_id(event.id_number)
        shown = {"id": mask_id_number(number)}
        if tube.members >= tube.capacity:
            return {**shown, "code": Code.TUBE_FULL, "capacity": tube.capacity}
        person = self.persons.get(number)
        if person is None and not is_valid(number):
            return {**shown, "code": Code.BAD_ID_NUMBER}
        if person is not None:
            shown["person"] = mask_name(person.name)
        problem = (self._retest_problem(person, number) if tube.kind == SampleKind.RETEST
                   else self._screening_problem(tube, person, number))
        if problem is not None:
            return {**shown, "code": problem}
        code = Code.OK
        if person is None:
            person = self._visitor(number, event)
            shown["person"], code = mask_name(person.name), Code.VISITOR_REGISTERED
        self._sample(tube, person, event)
        return {**shown, "code": code}

    def _screening_problem(self, tube: Tube, person: Person | None,
                           number: str) -> Code | None:
        if number in self.sampled:
            return Code.ALREADY_SAMPLED
        if person is not None and tube.capacity > 1 and person.pk in self.single:
            return Code.SINGLE_TUBE_REQUIRED
        return None

    def _retest_problem(self, person: Person | None, number: str) -> Code | None:
        hold = self.holds.get(person.pk) if person is not None else None
        if hold is None:
            return Code.NOT_ON_HOLD
        if hold.retest_id is not None or number in self.retested:
            return Code.ALREADY_SAMPLED
        return None

    def _visitor(self, number: str, event: Event) -> Person:
        """A person not in the registry, registered at the site's grid for this round."""
        body = number[:17]
        visitor = Person(name=event.name.strip()[:64], id_number=number,
                         id_last4=number[-4:], phone=event.phone.strip()[:20],
                         phone_last4=event.phone.strip()[-4:],
                         sex="M" if int(body[16]) % 2 else "F",
                         birth_date=_birth(body), temporary=True)
        _place(visitor, self.site)
        self.persons[number] = visitor
        self.visitors.append(visitor)
        return visitor

    def _sample(self, tube: Tube, person: Person, event: Event) -> None:
        if tube.status == TubeStatus.ISSUED:
            self._open(tube, event.at)
        kind = SampleKind.RETEST if tube.kind == SampleKind.RETEST else SampleKind.SCREENING
        if kind == SampleKind.RETEST:
            sample = Sample(campaign_id=self.site.campaign_id, tube=tube, person=person,
                            kind=kind, channel=self._channel(event), sampled_at=event.at,
                            batch=self.batch)
            _place(sample, person)
            self.samples.append(sample)
        else:  # plain tuples: a model instance per scan costs more than its COPY
            self.scans.append((tube, person, self._channel(event), event.at))
        tube.members += 1
        self.changed.add(tube.code)
        number = person.id_number or ""
        (self.retested if kind == SampleKind.RETEST else self.sampled).add(number)

    def _channel(self, event: Event) -> str:
        if event.channel in Channel.values:
            return event.channel
        return Channel.DOOR if self.site.kind == SiteKind.DOOR else Channel.SITE

    # ------------------------------------------------------------------ writing

    def save(self) -> None:
        """Visitors and retests through the ORM (their pks are needed); screening samples,
        the bulk of a round, by COPY; the batch's few tubes by one prepared UPDATE."""
        if self.visitors:
            Person.objects.bulk_create(self.visitors)
        campaign, batch = self.site.campaign_id, self.batch.pk
        # Raw rows skip Django's value preparation: times are adapted here (SQLite would
        # keep a phone's +08:00 in the text and compare it wrongly with ORM-written UTC).
        # insert_rows maps COPY's errors, so the constraint tripped by another device
        # surfaces as IntegrityError and the batch is retried.
        adapt = connection.ops.adapt_datetimefield_value
        insert_rows(table=Sample._meta.db_table, columns=SAMPLE_COLUMNS,
                    rows=[(campaign, tube.pk, p.pk, SampleKind.SCREENING.value, channel,
                           adapt(at), batch, p.district_id, p.street_id, p.community_id,
                           p.grid_id) for tube, p, channel, at in self.scans])
        Sample.objects.bulk_create(self.samples)
        changed = [self.tubes[code] for code in sorted(self.changed)]
        update_rows(model=Tube, fields=TUBE_FIELDS, objs=changed)
        linked = []
        for sample in self.samples:
            hold = self.holds.get(sample.person.pk)
            if hold is not None:
                hold.retest = sample
                linked.append(hold)
        update_rows(model=Hold, fields=("retest",), objs=linked)


SAMPLE_COLUMNS = ("campaign_id", "tube_id", "person_id", "kind", "channel", "sampled_at",
                  "batch_id", "district_id", "street_id", "community_id", "grid_id")
TUBE_FIELDS = ("status", "members", "opened_at", "sealed_at", "sampler", "site", "district",
               "street", "community", "grid")


def _birth(body: str) -> dt.date | None:
    try:
        return dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return None


__all__ = ["Batch", "Event", "store_batch"]
