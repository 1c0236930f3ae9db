"""Reads of the cold chain, scoped: a batch is seen where it entered the city and wherever a
movement of it arrived; places, samples and handlers where they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from fangkong.coldchain.models import Batch, ColdPlace, Movement, PositiveSample
from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right


def places_for(actor: Actor) -> QuerySet[ColdPlace]:
    if not (actor.can(Right.COLDCHAIN_VIEW) or actor.can(Right.COLDCHAIN_RECORD)):
        actor.require(Right.COLDCHAIN_VIEW)
    return scope(ColdPlace.objects.all(), actor).select_related("venue").order_by("kind", "id")


def batches_for(actor: Actor, *, q: str = "") -> QuerySet[Batch]:
    """Newest arrivals first."""
    actor.require(Right.COLDCHAIN_VIEW)
    if actor.unit is None:
        return Batch.objects.none()
    moved_in = scope(Movement.objects.all(), actor).values("batch_id")
    qs = Batch.objects.filter(Q(pk__in=scope(Batch.objects.all(), actor).values("pk"))
                              | Q(pk__in=moved_in))
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(product__icontains=q.strip()))
    return qs.select_related("entry_place__venue").order_by("-arrived_at", "-id")


@dataclass
class BatchDetail:
    batch: Batch
    movements: list[Movement]  # the whole chain, in time order
    samples: list[PositiveSample]


def batch_detail(actor: Actor, *, batch_id: int) -> BatchDetail:
    """A batch seen by the actor shows its whole chain: where it came from and went is what
    a tracer of any district needs to act."""
    batch = batches_for(actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("batch")
    moves = list(Movement.objects.filter(batch=batch).select_related(
        "from_place__venue", "to_place__venue").order_by("moved_at", "id"))
    samples = list(scope(PositiveSample.objects.filter(batch=batch), actor))
    return BatchDetail(batch, moves, samples)


def samples_for(actor: Actor) -> QuerySet[PositiveSample]:
    actor.require(Right.COLDCHAIN_VIEW)
    return scope(PositiveSample.objects.all(), actor).select_related(
        "place__venue", "batch").order_by("-sampled_at", "-id")
