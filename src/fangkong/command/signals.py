"""Events that make figures stale: a saved or deleted row of a metric's table marks the cells
it counted in before and after the write, once the transaction commits (a rolled-back write
marks nothing). Receivers read the row's place and day with one small query each side of the
write; the marks are written by one upsert after commit. Writes that bypass ``save()`` are
caught by ``refresh.sweep``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from fangkong.command.metrics import Cell, Metric, cells_of_rows, home, root_id
from fangkong.command.metrics_defs import ALL, BY_NAME
from fangkong.core import clock
from fangkong.core.jurisdiction import within
from fangkong.core.models import AdminUnit, Level

SCREENING = ("screening_sampled", "screening_expected")
ROOMS = ("rooms_free", "rooms_total")


def by_model() -> dict[type[Model], list[Metric]]:
    found: dict[type[Model], list[Metric]] = defaultdict(list)
    for metric in ALL:
        found[metric.model].append(metric)
    return dict(found)


def row_cells(model: type[Model], pk: Any) -> dict[str, set[Cell]]:
    """The cells the row ``pk`` counts in now, per metric of its table."""
    root = root_id()
    if pk is None or root is None:
        return {}
    today = clock.city_today()
    rows = model._default_manager.filter(pk=pk)
    return {m.name: cells_of_rows(m, rows, root=root, today=today) for m in MODELS[model]}


def merge(*parts: dict[str, set[Cell]]) -> dict[str, set[Cell]]:
    out: dict[str, set[Cell]] = defaultdict(set)
    for part in parts:
        for name, cells in part.items():
            out[name] |= cells
    return dict(out)


def mark_after_commit(cells: dict[str, set[Cell]]) -> None:
    from fangkong.command.refresh import mark

    if any(cells.values()):
        transaction.on_commit(lambda: mark(cells), robust=True)


def _before(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    instance._figure_cells = row_cells(sender, instance.pk) if instance.pk is not None else {}


def _after_save(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    mark_after_commit(merge(getattr(instance, "_figure_cells", {}),
                            row_cells(sender, instance.pk)))


def _after_delete(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    mark_after_commit(getattr(instance, "_figure_cells", {}))


def _facility(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    """A facility opened or closed changes its rooms in service."""
    root = root_id()
    if root is not None:
        cell = (home(instance.street_id, instance.district_id, root=root), clock.city_today())
        mark_after_commit({name: {cell} for name in ROOMS})


def _order(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    """An order made for a contact may bring it under control within 24 hours."""
    if instance.contact_id is not None:
        from fangkong.tracing.models import Contact

        metric = BY_NAME["contacts_controlled_24h"]
        mark_after_commit({metric.name: row_cells(Contact, instance.contact_id)[metric.name]})


def campaign_cells(campaign_ids: list[int], *, today: dt.date) -> dict[str, set[Cell]]:
    """Every home under a round's areas (a round starting, ending or changing its areas)."""
    from fangkong.testing.models import CampaignArea

    root = root_id()
    if root is None or not campaign_ids:
        return {}
    homes: set[int] = {root}
    levels = [Level.DISTRICT, Level.STREET]
    for area in CampaignArea.objects.filter(campaign_id__in=campaign_ids).select_related("unit"):
        homes |= set(within(AdminUnit.objects.filter(level__in=levels), area.unit)
                     .values_list("pk", flat=True))
    return {name: {(h, today) for h in homes} for name in SCREENING}


def campaigns_between(since: dt.datetime, until: dt.datetime) -> list[int]:
    from django.db.models import Q

    from fangkong.testing.models import Campaign

    where = Q()
    for field in ("starts_at", "ends_at", "created_at"):
        where |= Q(**{f"{field}__gte": since, f"{field}__lte": until})
    return list(Campaign.objects.filter(where).values_list("pk", flat=True))


def _campaign(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    campaign_id = getattr(instance, "campaign_id", None) or instance.pk
    if campaign_id is not None:
        mark_after_commit(campaign_cells([campaign_id], today=clock.city_today()))


MODELS: dict[type[Model], list[Metric]] = by_model()


def connect() -> None:
    """Called from the app's ``ready()``."""
    from fangkong.quarantine.models import Facility, QuarantineOrder
    from fangkong.testing.models import Campaign, CampaignArea

    for model in MODELS:
        uid = f"command.figures.{model._meta.label}"
        pre_save.connect(_before, sender=model, dispatch_uid=f"{uid}.before")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}.after")
        pre_delete.connect(_before, sender=model, dispatch_uid=f"{uid}.before_delete")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}.deleted")
    post_save.connect(_facility, sender=Facility, dispatch_uid="command.figures.facility")
    post_save.connect(_order, sender=QuarantineOrder, dispatch_uid="command.figures.order")
    for model in (Campaign, CampaignArea):
        for signal in (post_save, pre_delete):
            signal.connect(_campaign, sender=model,
                           dispatch_uid=f"command.figures.{model.__name__}.{signal}")

