"""Every file importer of the platform, called at its action level: how to call it, a
valid line to build hostile files from, and how its refusals name lines and fields.

A refusal is the project's ``DomainError`` (any subclass). Where an importer refuses a file
by returning a report (the registry), the report's errors are read the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fangkong.coldchain import intake
from fangkong.core.errors import DomainError
from fangkong.healthcode import reports
from fangkong.registry import io as registry_io
from fangkong.supplies import uploads
from fangkong.testing import results
from fangkong.vaccination import doses
from fangkong.warning import arrivals, clinic
from tests.factories import id_number
from tests.fuzz.world import World

GOODS = ["grain", "oil", "meat", "eggs", "vegetables", "milk"]
DRUGS = ["fever", "cough", "antibiotic", "antiviral"]


@dataclass(frozen=True)
class Outcome:
    """What one call did: accepted (with its answer's errors, if it stored the good lines)
    or refused, and the (line, field) of every error it reported."""

    accepted: bool
    errors: list[tuple[int, str]]


@dataclass(frozen=True)
class Importer:
    name: str
    header: list[str]
    row: Callable[[World, int], list[str]]  # the n-th valid line's cells
    call: Callable[[World, bytes, bool], Any]  # (world, data, store_good) → answer
    errors_of: Callable[[Any], list[tuple[int, str]]]
    file_name: str = "fuzz.csv"
    rows_max: int = 8
    extra: dict[str, Any] = field(default_factory=dict)

    def outcome(self, world: World, data: bytes, store_good: bool) -> Outcome:
        try:
            answer = self.call(world, data, store_good)
        except DomainError as exc:
            return Outcome(False, _refusal_errors(exc))
        errors = self.errors_of(answer)
        return Outcome(not (errors and self.name.startswith("registry") and not store_good),
                       errors)


def _refusal_errors(exc: DomainError) -> list[tuple[int, str]]:
    """A whole-file refusal names its field only (line 0 stands for "the file"); a refusal
    of lines carries an answer listing each."""
    answer = getattr(exc, "answer", None)
    if answer is None:
        return [(0, exc.field or "")]
    found = answer["errors"] if isinstance(answer, dict) else answer.errors
    return [(int(e["line"]), str(e["field"])) for e in found]


def _dict_errors(answer: Any) -> list[tuple[int, str]]:
    found = answer["errors"] if isinstance(answer, dict) else answer.errors
    return [(int(e["line"]), str(e["field"])) for e in found]


def _registry_errors(report: registry_io.ImportReport) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in report.errors]


def _registry(kind: str, name: str = "fuzz.csv") -> Callable[[World, bytes, bool], Any]:
    def call(world: World, data: bytes, store_good: bool) -> Any:
        return registry_io.do_import(actor=world.actor, kind=kind, name=name, data=data,
                                     partial=store_good)
    return call


def _lab(world: World, data: bytes, store_good: bool) -> Any:
    return results.do_import_results(actor=world.actor, lab_id=world.lab.pk,
                                     client_key="fuzz-key", frame=results.read_csv(data),
                                     filename="fuzz.csv", accept_good=store_good)


PERSONS = ["name", "id_number", "phone", "sex", "birth_date", "grid_code", "occupation",
           "over80_alone"]


def _person_row(w: World, n: int) -> list[str]:
    return [f"赵{n}", id_number(700 + n), f"139{n:08d}", "MF"[n % 2], "1990-01-02",
            w.grid_code, "worker", "0"]


IMPORTERS: list[Importer] = [
    Importer("registry-persons", PERSONS, _person_row, _registry("persons"), _registry_errors),
    Importer("registry-buildings", ["name", "address", "grid_code", "lat", "lon", "floors"],
             lambda w, n: [f"{n}号楼", f"幸福路{n}号", w.grid_code, "34.2", "108.9", "6"],
             _registry("buildings"), _registry_errors),
    Importer("registry-persons-xlsx", PERSONS, _person_row,
             _registry("persons", "fuzz.xlsx"), _registry_errors, file_name="fuzz.xlsx"),
    Importer("lab-results", ["tube_code", "result", "ct_value", "tested_at"],
             lambda w, n: [w.tube_codes[n % len(w.tube_codes)],
                           ["negative", "positive", "invalid"][n % 3],
                           "31.5" if n % 3 == 1 else "", w.at(hours_ago=1)],
             _lab, _dict_errors),
    Importer("pharmacy-sales", ["id_number", "drug_class", "bought_at"],
             lambda w, n: [w.persons[n % len(w.persons)].id_number or "", DRUGS[n % 4],
                           w.at(hours_ago=3 + n)],
             lambda w, d, g: reports.do_import_purchases(actor=w.actor, data=d, store_good=g),
             _dict_errors),
    Importer("fever-clinic", ["client_key", "visited_at", "temperature", "sampled",
                              "id_number", "name", "phone"],
             lambda w, n: [f"v{n}", w.at(hours_ago=2), f"3{6 + n % 3}.{n % 10}",
                           "yes" if n % 2 else "no",
                           w.persons[n % len(w.persons)].id_number or "", "", ""],
             lambda w, d, g: clinic.do_import_visits(actor=w.actor, data=d, store_good=g),
             _dict_errors),
    Importer("arrivals", ["source", "checkpoint", "arrived_at", "id_number", "name", "phone",
                          "origin"],
             lambda w, n: ["station", "西安北站", w.at(hours_ago=5 + n),
                           w.persons[n % len(w.persons)].id_number or "", "", "", "上海"],
             lambda w, d, g: arrivals.do_import_arrivals(actor=w.actor, data=d,
                                                         file_name="a.csv", store_good=g),
             _dict_errors),
    Importer("supplies-stock", ["client_key", "venue_code", "day", "good", "stock", "price"],
             lambda w, n: [f"s{n}", w.outlets[n % 2].venue_code, w.now.date().isoformat(),
                           GOODS[(n // 2) % 6], f"{100 + n}", "5.5"],
             lambda w, d, g: uploads.do_import_csv(actor=w.actor, data=d, store_good=g),
             _dict_errors),
    Importer("coldchain-batches", ["code", "product", "origin_country", "port", "arrived_at",
                                   "quantity_kg", "entry_place", "nat_result"],
             lambda w, n: [f"FZ-N{n}", "冻牛肉", "Brazil", "天津港", w.at(hours_ago=4),
                           "250.5", w.cold_codes[0], "negative"],
             lambda w, d, g: intake.do_import_batches(actor=w.actor, data=d, store_good=g),
             _dict_errors),
    Importer("coldchain-movements", ["batch_code", "from_place", "to_place", "moved_at",
                                     "quantity_kg", "client_key"],
             lambda w, n: [w.cold_batch, w.cold_codes[0], w.cold_codes[1],
                           w.at(hours_ago=1), "10", f"m{n}"],
             lambda w, d, g: intake.do_import_movements(actor=w.actor, data=d, store_good=g),
             _dict_errors),
    Importer("vaccination-doses", ["id_number", "product", "dose_number", "given_on", "site",
                                   "client_key"],
             lambda w, n: [w.persons[n % len(w.persons)].id_number or "", "CORONAVAC",
                           str(n // len(w.persons) + 1), "2022-03-01", "SITE01", f"d{n}"],
             lambda w, d, g: doses.do_import_doses(actor=w.actor, data=d, store_good=g),
             _dict_errors),
]
BY_NAME = {i.name: i for i in IMPORTERS}
