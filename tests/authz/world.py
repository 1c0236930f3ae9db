"""One object of every kind a route names, in each district, built generically from the models.

The matrix needs an "own" and an "other" id for every path parameter. Writing a factory per
model would fall behind as models are added, so :class:`World` fills each required field from
its type (first choice, a unique string, now, 1) and builds foreign keys through the same
district's world, so that dependent parameters agree (a booking's campaign is the campaign).
Placed rows are put in the district's first grid; the other district's world mirrors it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from fangkong.core.models import AdminUnit, Placed
from fangkong.registry.models import Building, Household, Person, Venue
from fangkong.testing.models import Campaign, CampaignArea
from tests.factories import District

PLACED_FIELDS = {"city", "district", "street", "community", "grid"}
# Fields whose name says they close a period: a day after now, so ranges are well ordered.
LATER = ("end", "close", "until", "deadline", "expires", "_by", "due")
_serial = itertools.count(1)
# Values the generic rule cannot guess (a check constraint between fields), by model label.
EXTRA: dict[str, dict[str, Any]] = {
    "risk.RiskArea": {"unit": lambda w: w.grid},  # an area is a unit or a building, not both
    "quarantine.QuarantineOrder": {"certificate_no": lambda w: f"AUTHZ-{w.index}"},
}


class World:
    """Lazily built rows of one district, one per model (``world[Model]``)."""

    def __init__(self, *, district: District, index: int) -> None:
        self.district = district
        self.index = index
        self.grid = district.grids[0]
        self.now = timezone.now()
        self.rows: dict[type[models.Model], models.Model] = {
            AdminUnit: self.grid, Building: district.buildings[0],
            Household: district.households[0], Venue: district.venues[0],
            Person: district.persons[1],
        }

    def __getitem__(self, model: type[models.Model]) -> Any:
        if model not in self.rows:
            self.rows[model] = self._build(model)
        return self.rows[model]

    def case_person(self) -> Person:
        """A case's person differs from the contacts' and other rows' person."""
        return self.district.persons[0]

    def _build(self, model: type[models.Model]) -> models.Model:
        if model is User:
            return User.objects.create_user(username=f"authz-{self.index}-{next(_serial)}")
        manager = model._default_manager
        seeded = manager.order_by("effective_from").first() if any(
            f.name == "effective_from" for f in model._meta.fields) else None
        if seeded is not None:
            return seeded  # a policy version its data migration seeded
        values = {f.name: self._value(model, f) for f in model._meta.concrete_fields
                  if self._needs_value(f)}
        values.update({name: make(self)
                       for name, make in EXTRA.get(model._meta.label, {}).items()})
        obj = model(**values)
        if isinstance(obj, Placed):
            obj.place_in(self.grid)
        obj.save()
        if model is Campaign:
            area = CampaignArea(campaign=obj, unit=self.district.unit)  # type: ignore[misc]
            area.place_in(self.district.unit)
            area.save()
        return obj

    @staticmethod
    def _needs_value(f: models.Field) -> bool:  # type: ignore[type-arg]
        return not (f.primary_key or f.name in PLACED_FIELDS or f.has_default() or f.null
                    or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))

    def _value(self, model: type[models.Model], f: models.Field) -> Any:  # type: ignore[type-arg]
        if f.is_relation:
            target = f.related_model
            if target is AdminUnit:
                return self.district.unit
            if target is Person and model.__name__ == "Case":
                return self.case_person()
            return self[target]  # type: ignore[index]
        if f.choices:
            return f.choices[0][0]
        return self._scalar(f)

    def _scalar(self, f: models.Field) -> Any:  # type: ignore[type-arg]
        later = dt.timedelta(days=1 if any(word in f.name for word in LATER) else 0)
        by_type: list[tuple[type, Any]] = [
            (models.DateTimeField, lambda: self.now + later),
            (models.DateField, lambda: self.now.date() + later),
            (models.DecimalField, lambda: Decimal(1)),
            (models.FloatField, lambda: 1.0),
            # ids of other rows (a follow-up's source): kept apart
            (models.BigIntegerField, lambda: next(_serial)),
            (models.IntegerField, lambda: 1),
            (models.BinaryField, lambda: b"evidence"),
            (models.JSONField, dict),
            (models.CharField, lambda: self._text(f)),
            (models.TextField, lambda: self._text(f)),
        ]
        for kind, make in by_type:
            if isinstance(f, kind):
                return make()
        raise TypeError(f"no generic value for {f.model.__name__}.{f.name}")

    def _text(self, f: models.Field) -> str:  # type: ignore[type-arg]
        """Short (codes are embedded in other codes: a tube's holds its round's and site's)."""
        text = f"{f.name[:2].upper()}{self.index}{next(_serial)}"
        return text[-f.max_length:] if f.max_length else text
