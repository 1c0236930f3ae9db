"""Door-to-door work on the elderly not fully vaccinated: the grid worker records what came
of a visit (one transaction with its audit row), and the list goes out as CSV for the walk
(phones masked unless the worker may see them in full, that read audited)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.vaccination import coverage, logic
from fangkong.vaccination.logic import VaccinationRules
from fangkong.vaccination.models import Visit, VisitOutcome

NOTE_MAX = 200
EXPORT_MAX = 20_000


def check_visit(*, outcome: str, note: str = "") -> tuple[str, str]:
    if outcome not in VisitOutcome.values:
        raise DomainError(_("choose what came of the visit"), field="outcome")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("the note has at most %(n)d characters") % {"n": NOTE_MAX},
                          field="note")
    return outcome, note


def do_record_visit(*, actor: Actor, person_id: int, outcome: str, note: str = "",
                    rules: VaccinationRules, on: dt.date) -> Visit:
    """A visit to an elderly resident of the actor's scope (404 outside it) who is on the
    list: of the elderly age and not fully vaccinated."""
    actor.require(Right.VACCINATION_VISIT)
    outcome, note = check_visit(outcome=outcome, note=note)
    with transaction.atomic():
        person = get_scoped(Person.objects.filter(coverage.resident_q()), actor,
                            what="person", pk=person_id)
        node = actor.unit
        assert node is not None  # get_scoped found nothing for an actor without one
        listed = coverage.elderly_open(actor=actor, node=node, rules=rules, on=on)
        if not listed.filter(pk=person.pk).exists():
            raise Conflict(_("this resident is not on the door-to-door list"))
        visit = Visit(person=person, outcome=outcome, note=note, visited_at=clock.now(),
                      visited_by_id=actor.user_id)
        visit.district_id, visit.street_id = person.district_id, person.street_id
        visit.community_id, visit.grid_id = person.community_id, person.grid_id
        visit.save()
        record(actor=actor, verb="vaccination.visit.record", target=visit,
               after=snapshot(visit))
    return visit


EXPORT_COLUMNS = ["person_id", "name", "age", "phone", "address", "grid", "status",
                  "last_visit", "last_visited_at"]


def export_csv(*, actor: Actor, node: AdminUnit, rules: VaccinationRules, on: dt.date) -> str:
    """The node's door-to-door list as CSV (UTF-8 with a BOM so Excel reads the Chinese)."""
    qs = coverage.elderly_open(actor=actor, node=node, rules=rules, on=on)
    people = list(qs.select_related("grid").order_by("grid__code", "pk")[:EXPORT_MAX + 1])
    if len(people) > EXPORT_MAX:
        raise DomainError(_("more than %(n)d residents: export one street or grid at a time")
                          % {"n": EXPORT_MAX}, field="unit")
    phones = coverage.shown_phones(actor, node, people, listing="vaccination.elderly.csv")
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    outcomes = dict(VisitOutcome.choices)
    for p in people:
        visited = p.v_visited  # type: ignore[attr-defined]
        writer.writerow([
            p.pk, p.name, logic.age_on(p.birth_date, on) if p.birth_date else "",
            phones[p.pk], p.address, p.grid.name if p.grid else "",
            logic.STATUS_KEYS[p.v_status],  # type: ignore[attr-defined]
            str(outcomes.get(p.v_outcome, "")) if p.v_outcome else "",  # type: ignore[attr-defined]
            timezone.localtime(visited).isoformat(timespec="minutes") if visited else ""])
    return out.getvalue()
