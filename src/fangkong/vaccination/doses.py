"""Recording doses: one at a site's page, or a batch from the vaccination system (CSV or the
API). Every dose carries a client key: a batch sent again stores nothing new. Persons are
matched by ID-card number city-wide (a site vaccinates whoever comes); the dose is Placed at
the person's residence. A batch is checked whole first (every bad line reported with its line
and field); with a bad line nothing is stored unless the good ones are asked for. The stored
doses' ``counts_as`` and those of the same persons' earlier doses are derived again from all
their doses (``logic.contributions``), in the same transaction as the audit rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.core import cells, clock
from fangkong.core.audit import audit_row, record_many, snapshot
from fangkong.core.bulk import update_rows
from fangkong.core.csvfile import read_csv_rows
from fangkong.core.errors import DomainError
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.registry.logic import id_number_problem
from fangkong.registry.models import Person
from fangkong.vaccination import logic
from fangkong.vaccination.models import Dose, DoseSource, Product
from fangkong.vaccination.policy import booster_days_lookup

CSV_COLUMNS = ["id_number", "product", "dose_number", "given_on", "site", "client_key"]
MAX_ROWS = 20_000
FIRST_DAY = dt.date(2020, 7, 1)  # no dose was given in China before emergency use began
MAX_DOSE_NUMBER = 9
CHUNK = 5_000


@dataclass(frozen=True)
class DoseInput:
    id_number: str
    product: Product
    dose_number: int
    given_on: dt.date
    site: str
    client_key: str


def may_record(actor: Actor) -> None:
    actor.require(Right.VACCINATION_RECORD)
    if actor.unit is None:
        raise DomainError(_("your account has no place in the city's tree"), field="site")


def _text(value: object, *, field: str, most: int) -> str:
    text = str(value if value is not None else "").strip()
    if len(text) > most:
        raise DomainError(_("%(field)s has at most %(n)d characters")
                          % {"field": field, "n": most}, field=field)
    return text


def _day(value: object) -> dt.date:
    day = value if isinstance(value, dt.date) else cells.day(_text(value, field="given_on",
                                                                   most=10))
    if day is None:
        raise DomainError(_("given_on is not a date (YYYY-MM-DD)"), field="given_on")
    if day > clock.city_today():
        raise DomainError(_("given_on is in the future"), field="given_on")
    if day < FIRST_DAY:
        raise DomainError(_("given_on is before any vaccine was given"), field="given_on")
    return day


def _number(value: object) -> int:
    text = _text(value, field="dose_number", most=2)
    if not text.isdigit() or not 1 <= int(text) <= MAX_DOSE_NUMBER:
        raise DomainError(_("dose_number is a whole number from 1 to %(n)d")
                          % {"n": MAX_DOSE_NUMBER}, field="dose_number")
    return int(text)


def check_dose(*, products: dict[str, Product], id_number: object, product: object,
               dose_number: object, given_on: object, site: object = "",
               client_key: object = "") -> DoseInput:
    """Validate one dose, naming the first bad field."""
    number = _text(id_number, field="id_number", most=18).upper()
    if not number:
        raise DomainError(_("give the ID number"), field="id_number")
    problem = id_number_problem(number)
    if problem:
        raise DomainError(_("the ID number %(problem)s") % {"problem": problem},
                          field="id_number")
    code = _text(product, field="product", most=24).upper()
    if code not in products:
        raise DomainError(_("unknown product %(code)s (one of %(known)s)")
                          % {"code": code or "''", "known": ", ".join(sorted(products))},
                          field="product")
    key = _text(client_key, field="client_key", most=64)
    if not key:
        raise DomainError(_("give the client key (the system's id of the dose)"),
                          field="client_key")
    return DoseInput(number, products[code], _number(dose_number), _day(given_on),
                     _text(site, field="site", most=64), key)


@dataclass
class Answer:
    stored: int = 0
    unchanged: int = 0
    errors: list[dict[str, object]] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    def refuse(self, line: int, exc: DomainError) -> None:
        self.errors.append({"line": line, "field": exc.field or "", "message": exc.message})


class BatchRefused(DomainError):
    """Bad lines and no leave to store the good ones: nothing was stored."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(_("%(n)d lines refused; nothing stored") % {"n": len(answer.errors)},
                         field="file")
        self.answer = answer


def read_rows(data: bytes) -> list[dict[str, str]]:
    return read_csv_rows(data, columns=CSV_COLUMNS, max_rows=MAX_ROWS)


def do_import_doses(*, actor: Actor, data: bytes, store_good: bool = False) -> Answer:
    """A CSV file from the vaccination system (the header is line 1)."""
    may_record(actor)
    return do_record_doses(actor=actor, rows=read_rows(data), first_line=2,
                           source=DoseSource.SYSTEM, store_good=store_good)


def do_record_doses(*, actor: Actor, rows: Sequence[Mapping[str, object]], first_line: int = 1,
                    source: str = DoseSource.SYSTEM, store_good: bool = False) -> Answer:
    """Store a batch: check every line, match persons, skip keys stored before, refuse
    conflicts; all or nothing unless ``store_good``."""
    may_record(actor)
    if len(rows) > MAX_ROWS:
        raise DomainError(_("at most %(n)d lines in one batch") % {"n": MAX_ROWS}, field="file")
    products = {p.code: p for p in Product.objects.all()}
    answer = Answer()
    checked = _check_all(rows, products, answer, first_line=first_line)
    with transaction.atomic():
        fresh = _match(checked, answer)
        answer.errors.sort(key=lambda e: int(str(e["line"])))
        if answer.errors and not store_good:
            raise BatchRefused(answer)
        _store(actor, fresh, source=source)
        answer.stored = len(fresh)
    return answer


def _check_all(rows: Sequence[Mapping[str, object]], products: dict[str, Product],
               answer: Answer, *, first_line: int) -> list[tuple[int, DoseInput]]:
    checked: list[tuple[int, DoseInput]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=first_line):
        try:
            given = check_dose(products=products, **{k: row.get(k, "") for k in CSV_COLUMNS})
            if given.client_key in seen:
                raise DomainError(_("the client key repeats line %(line)d")
                                  % {"line": seen[given.client_key]}, field="client_key")
        except DomainError as exc:
            answer.refuse(line, exc)
            continue
        seen[given.client_key] = line
        checked.append((line, given))
    return checked


@dataclass(frozen=True)
class Fresh:
    given: DoseInput
    person: Person


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for lo in range(0, len(values), CHUNK):
        yield values[lo:lo + CHUNK]


def _match(checked: list[tuple[int, DoseInput]], answer: Answer) -> list[Fresh]:
    """Lines whose key is stored already are unchanged (or refused when the stored dose
    differs); the rest need a resident and a dose number not taken."""
    keys = [g.client_key for _line, g in checked]
    stored = {d.client_key: d for chunk in _chunks(keys)
              for d in Dose.objects.filter(client_key__in=chunk).select_related("person")}
    numbers = sorted({g.id_number for _line, g in checked})
    people = {p.id_number: p for chunk in _chunks(numbers) for p in Person.objects.filter(
        id_number__in=chunk, purged=False, inactive_since__isnull=True)}
    taken = _taken({p.pk for p in people.values()})
    fresh: list[Fresh] = []
    for line, given in checked:
        try:
            if _already(stored.get(given.client_key), given):
                answer.unchanged += 1
                continue
            person = people.get(given.id_number)
            if person is None:
                raise DomainError(_("no resident with this ID number"), field="id_number")
            if (person.pk, given.dose_number) in taken:
                raise DomainError(_("the resident has a dose %(n)d recorded already")
                                  % {"n": given.dose_number}, field="dose_number")
        except DomainError as exc:
            answer.refuse(line, exc)
            continue
        taken.add((person.pk, given.dose_number))
        fresh.append(Fresh(given, person))
    return fresh


def _already(dose: Dose | None, given: DoseInput) -> bool:
    """True when the key's dose is stored and is this one; a conflict when it differs."""
    if dose is None:
        return False
    same = (dose.person.id_number == given.id_number and dose.product_id == given.product.pk
            and dose.dose_number == given.dose_number and dose.given_on == given.given_on)
    if not same:
        raise DomainError(_("the client key was used for another dose"), field="client_key")
    return True


def _taken(person_ids: set[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    ids = sorted(person_ids)
    for lo in range(0, len(ids), CHUNK):
        found.update(Dose.objects.filter(person_id__in=ids[lo:lo + CHUNK])
                     .values_list("person_id", "dose_number"))
    return found


def _store(actor: Actor, fresh: list[Fresh], *, source: str) -> None:
    now = clock.now()
    new = [_dose(f, actor=actor, source=source, now=now) for f in fresh]
    changed = derive(new)
    Dose.objects.bulk_create(new, batch_size=1000)
    update_rows(model=Dose, fields=["counts_as"], objs=changed)
    record_many([audit_row(actor=actor, verb="vaccination.dose.record", target=d,
                           after=snapshot(d)) for d in new])


def _dose(f: Fresh, *, actor: Actor, source: str, now: dt.datetime) -> Dose:
    dose = Dose(person=f.person, product=f.given.product, dose_number=f.given.dose_number,
                given_on=f.given.given_on, site=f.given.site, source=source,
                client_key=f.given.client_key, recorded_by_id=actor.user_id, recorded_at=now,
                counts_as=logic.PARTIAL)
    dose.district_id, dose.street_id = f.person.district_id, f.person.street_id
    dose.community_id, dose.grid_id = f.person.community_id, f.person.grid_id
    return dose


def derive(new: list[Dose], *,
           booster_days_on: Callable[[dt.date], int | None] | None = None) -> list[Dose]:
    """Set ``counts_as`` on the new doses and return the stored doses of the same persons
    whose ``counts_as`` changed (a dose that arrives late can turn a later one's booster)."""
    lookup = booster_days_on or booster_days_lookup()
    persons = sorted({d.person_id for d in new})
    by_person: dict[int, list[Dose]] = {p: [] for p in persons}
    for lo in range(0, len(persons), CHUNK):
        for old in Dose.objects.filter(person_id__in=persons[lo:lo + CHUNK]).select_related(
                "product"):
            by_person[old.person_id].append(old)
    stored_ids = {id(d) for doses in by_person.values() for d in doses}
    for dose in new:
        by_person[dose.person_id].append(dose)
    changed: list[Dose] = []
    for doses in by_person.values():
        facts = {id(d): d for d in doses}
        counts = logic.contributions(
            [logic.DoseFact(key, d.dose_number, d.given_on, d.product.primary_doses)
             for key, d in facts.items()], booster_days_on=lookup)
        changed.extend(_apply(facts, counts, stored_ids))
    return changed


def _apply(facts: dict[int, Dose], counts: dict[Hashable, int],
           stored_ids: set[int]) -> list[Dose]:
    changed = []
    for key, dose in facts.items():
        if dose.counts_as != counts[key] and key in stored_ids:
            changed.append(dose)
        dose.counts_as = counts[key]
    return changed


@dataclass(frozen=True)
class Recorded:
    dose: Dose
    created: bool


def do_record_dose(*, actor: Actor, id_number: str, product: str, dose_number: object,
                   given_on: object, site: str = "", client_key: str = "") -> Recorded:
    """One dose typed at a site's page; the first problem goes back on its field."""
    key = client_key or f"site-{uuid.uuid4().hex}"
    row: dict[str, object] = {"id_number": id_number, "product": product,
                              "dose_number": dose_number, "given_on": given_on, "site": site,
                              "client_key": key}
    try:
        answer = do_record_doses(actor=actor, rows=[row], source=DoseSource.SITE)
    except BatchRefused as refused:
        first = refused.answer.errors[0]
        raise DomainError(str(first["message"]), field=str(first["field"])) from None
    dose = Dose.objects.select_related("person", "product").get(client_key=key)
    return Recorded(dose, created=answer.stored == 1)
