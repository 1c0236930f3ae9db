"""API shapes of registry resources. Persons leave the server masked unless revealed."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from fangkong.core.privacy import mask_id_number, mask_phone
from fangkong.registry.models import Person


class UnitRead(Schema):
    id: int
    parent_id: int | None
    level: int
    code: str
    name: str
    name_en: str
    center_lat: float | None
    center_lon: float | None


class BuildingRead(Schema):
    id: int
    grid_id: int | None
    name: str
    address: str
    lat: float
    lon: float
    floors: int


class BuildingPage(Schema):
    items: list[BuildingRead]
    next_after: int | None


class PersonRead(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str
    phone: str
    address: str
    household_id: int | None
    grid_id: int | None
    occupation: str
    over80_alone: bool
    disabled: bool
    pregnant: bool
    chronic_care: bool
    infant: bool

    @staticmethod
    def masked(person: Person) -> PersonRead:
        return PersonRead(
            id=person.pk, name=person.name, sex=person.sex, birth_date=person.birth_date,
            id_number=mask_id_number(person.id_number or ""), phone=mask_phone(person.phone),
            address=person.address, household_id=person.household_id, grid_id=person.grid_id,
            occupation=person.occupation, over80_alone=person.over80_alone,
            disabled=person.disabled, pregnant=person.pregnant,
            chronic_care=person.chronic_care, infant=person.infant,
        )


class PersonPage(Schema):
    items: list[PersonRead]
    next_after: int | None


class Revealed(Schema):
    id_number: str
    phone: str


class VenueRead(Schema):
    id: int
    venue_code: str
    type: str
    name: str
    address: str
    grid_id: int | None
    lat: float | None
    lon: float | None


class VenuePage(Schema):
    items: list[VenueRead]
    next_after: int | None


class RowErrorRead(Schema):
    line: int
    column: str
    message: str


class ImportResult(Schema):
    kind: str
    rows: int
    imported: int
    errors: list[RowErrorRead]
