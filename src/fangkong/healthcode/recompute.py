"""Recompute codes from the facts: one person on an event, the whole city in batches.

One code path for both: a batch reads its people's facts in a fixed number of queries
(``facts.load_batch``), evaluates each with the pure engine, then writes only what changed
(new rows in one insert, changed rows in one bulk update, the rest only get ``computed_at``,
set by person-id ranges: a city batch of unchanged codes is one ``UPDATE … BETWEEN``).
Each code whose colour or flags changed gets an audit row, written in the same transaction.
A code's ``pseudonym`` is random and made once, when the row is first created.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.audit import audit_row, record_many
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.healthcode.facts import PersonRow, load_batch, of_ids
from fangkong.healthcode.logic import CodeRules, Reason, Status, evaluate
from fangkong.healthcode.models import CodePolicy, PersonCode
from fangkong.healthcode.policy import code_policy_in_force, rules_of
from fangkong.registry.models import Person

SYSTEM = Actor(user_id=None, username="system:healthcode", unit=None)
BATCH = 5000
WRITE_CHUNK = 1000
RUN = 8  # this many unchanged codes with consecutive person ids are touched as one range
WRITTEN = ("colour", "flags", "reasons", "valid_until", "policy", "computed_at",
           "district", "street", "community", "grid")


def reason_json(reason: Reason) -> dict[str, Any]:
    """A reason as stored on the code (times in ISO 8601 with offset)."""
    return {"code": reason.code, "colour": reason.colour, "popup": reason.popup,
            "since": reason.since.isoformat(),
            "until": None if reason.until is None else reason.until.isoformat(),
            "clears": reason.clears, "detail": reason.detail}


@dataclass
class Tally:
    people: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    colours: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.people += other.people
        self.created += other.created
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.colours.update(other.colours)

    def as_dict(self) -> dict[str, Any]:
        return {"people": self.people, "created": self.created, "changed": self.changed,
                "unchanged": self.unchanged, "colours": dict(sorted(self.colours.items()))}


def do_recompute_person(*, person_id: int, now: dt.datetime | None = None,
                        actor: Actor | None = None) -> PersonCode:
    """Recompute one person's code now (created the first time); NotFound if no person."""
    now = now or clock.now()
    version = code_policy_in_force(on=timezone.localdate(now))
    with transaction.atomic():
        recompute_ids([person_id], now=now, version=version, actor=actor or SYSTEM)
    found = PersonCode.objects.filter(person_id=person_id).first()
    if found is None:
        raise NotFound("person")
    return found


def do_recompute_for(*, actor: Actor, person_id: int) -> PersonCode:
    """Staff's "recompute now": the person must be in the actor's scope (404 otherwise)."""
    actor.require(Right.HEALTHCODE_VIEW)
    person = get_scoped(Person.objects.all(), actor, what="person", pk=person_id)
    return do_recompute_person(person_id=person.pk, actor=actor)


def recompute_ids(ids: list[int], *, now: dt.datetime, version: CodePolicy,
                  actor: Actor = SYSTEM, rules: CodeRules | None = None) -> Tally:
    """Recompute the codes of ``ids`` (the caller holds the transaction)."""
    rules = rules or rules_of(version)
    people, facts = load_batch(ids, now=now, rules=rules)
    existing = {c.person_id: c for c in of_ids(PersonCode.objects.all(), sorted(people))
                if c.person_id in people}
    tally, fresh, changed, same = Tally(), [], [], []
    audit: list[tuple[PersonCode, dict[str, Any] | None]] = []
    for pk, person in people.items():
        status = evaluate(facts=facts[pk], rules=rules, now=now)
        tally.people += 1
        tally.colours[status.colour] += 1
        code = existing.get(pk)
        if code is None:
            code = PersonCode(person_id=pk, pseudonym=secrets.token_urlsafe(12))
            before: dict[str, Any] | None = None
            fresh.append(code)
        else:
            before = {"colour": code.colour, "flags": code.flags}
        if not _apply(code, person, status, version, now) and before is not None:
            same.append(pk)
            continue
        if before is not None:
            changed.append(code)
        if before != {"colour": code.colour, "flags": code.flags} and (
                before is not None or code.colour != "green" or code.flags):
            audit.append((code, before))
    _write(fresh, changed, same, now)
    record_many([audit_row(actor=actor, verb="healthcode.code.recompute", target=code,
                           before=before, after={"colour": code.colour, "flags": code.flags})
                 for code, before in audit])
    tally.created, tally.changed, tally.unchanged = len(fresh), len(changed), len(same)
    return tally


def _apply(code: PersonCode, person: PersonRow, status: Status, version: CodePolicy,
           now: dt.datetime) -> bool:
    """Set the computed fields on ``code``; True when anything but the time changed."""
    values = {"colour": status.colour, "flags": list(status.flags),
              "reasons": [reason_json(r) for r in status.reasons],
              "valid_until": status.valid_until, "policy_id": version.pk,
              "district_id": person.district_id, "street_id": person.street_id,
              "community_id": person.community_id, "grid_id": person.grid_id}
    differs = any(getattr(code, k) != v for k, v in values.items())
    for k, v in values.items():
        setattr(code, k, v)
    code.computed_at = now
    return differs


def _write(fresh: list[PersonCode], changed: list[PersonCode], same: list[int],
           now: dt.datetime) -> None:
    """``same`` holds the person ids of the unchanged codes."""
    PersonCode.objects.bulk_create(fresh, batch_size=WRITE_CHUNK)
    for lo in range(0, len(changed), WRITE_CHUNK):
        # Row by row when few (an event), one CASE statement per chunk when many.
        chunk = changed[lo:lo + WRITE_CHUNK]
        if len(chunk) <= 3:
            for code in chunk:
                code.save(update_fields=WRITTEN)
        else:
            PersonCode.objects.bulk_update(chunk, WRITTEN)
    for where in touch_filters(same):
        PersonCode.objects.filter(where).update(computed_at=now)


def id_runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ``(first, last)`` runs of consecutive ids: ``[1, 2, 3, 7]`` → ``[(1, 3), (7, 7)]``."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(set(ids)):
        if runs and runs[-1][1] == pk - 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


def touch_filters(person_ids: Iterable[int]) -> list[Q]:
    """Filters matching exactly the codes of ``person_ids`` (one code per person), few
    parameters each: a run of ``RUN`` or more consecutive ids is a ``BETWEEN``, the strays an
    ``IN``. A range holds only ids of the list, so no other code is touched; the nightly
    sweep of a city batch (dense ids, nothing changed) is one statement instead of one
    ``IN`` of 1,000 parameters per 1,000 codes."""
    ranges: list[Q] = []
    strays: list[int] = []
    for first, last in id_runs(person_ids):
        if last - first + 1 >= RUN:
            ranges.append(Q(person_id__gte=first, person_id__lte=last))
        else:
            strays.extend(range(first, last + 1))
    per = WRITE_CHUNK // 2  # two parameters a range
    return [Q(person_id__in=strays[lo:lo + WRITE_CHUNK])
            for lo in range(0, len(strays), WRITE_CHUNK)] + [
        functools.reduce(operator.or_, ranges[lo:lo + per]) for lo in range(0, len(ranges), per)]


def do_recompute_all(*, batch: int = BATCH, progress: Callable[[int], object] | None = None,
                     now: dt.datetime | None = None) -> dict[str, Any]:
    """Every current resident's code, in batches of ``batch`` people by id, one transaction
    each (a crash loses at most the batch in hand; running it again is harmless).
    ``progress(n)`` is called after each batch with the number of people it held."""
    now = now or clock.now()
    started = time.monotonic()
    version = code_policy_in_force(on=timezone.localdate(now))
    rules = rules_of(version)
    total, last, batches = Tally(), 0, 0
    people = Person.objects.filter(inactive_since__isnull=True).order_by("pk")
    while ids := list(people.filter(pk__gt=last).values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            total.add(recompute_ids(ids, now=now, version=version, rules=rules))
        last, batches = ids[-1], batches + 1
        if progress is not None:
            progress(len(ids))
    return {**total.as_dict(), "batches": batches, "policy": version.name,
            "seconds": round(time.monotonic() - started, 3)}


def run_recompute_all(progress: bool = False) -> dict[str, Any]:
    """The CLI's ``fangkong healthcode recompute``: the whole city, with a progress bar."""
    if not progress:
        return do_recompute_all()
    from tqdm import tqdm

    with tqdm(total=Person.objects.filter(inactive_since__isnull=True).count(),
              desc="recompute codes", unit=" people") as bar:
        return do_recompute_all(progress=bar.update)


def do_recompute_due(*, now: dt.datetime | None = None, batch: int = BATCH) -> dict[str, Any]:
    """Codes whose ``valid_until`` has passed (the status changed by itself since)."""
    now = now or clock.now()
    version = code_policy_in_force(on=timezone.localdate(now))
    rules = rules_of(version)
    total, last = Tally(), 0
    due = PersonCode.objects.filter(valid_until__lte=now).order_by("person_id")
    while ids := list(due.filter(person_id__gt=last).values_list("person_id", flat=True)[:batch]):
        with transaction.atomic():
            total.add(recompute_ids(ids, now=now, version=version, rules=rules))
        last = ids[-1]
    return total.as_dict()
