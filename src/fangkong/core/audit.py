"""Audit rows: called inside the same transaction as the write they describe."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.forms.models import model_to_dict

from fangkong.core import clock
from fangkong.core.models import AuditLog, Placed

if TYPE_CHECKING:
    from fangkong.core.jurisdiction import Actor


def snapshot(obj: Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A JSON-safe copy of a row's fields, for an audit row's before/after."""
    return {k: _jsonable(v) for k, v in model_to_dict(obj).items() if k not in exclude}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def record(
    *,
    actor: Actor,
    verb: str,
    target: Model | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target_type: str | None = None,
) -> AuditLog:
    """Write one audit row; the place of the target (if any) scopes who may read it."""
    row = audit_row(actor=actor, verb=verb, target=target, before=before, after=after,
                    target_type=target_type)
    row.save(force_insert=True)
    return row


def record_many(rows: list[AuditLog]) -> None:
    """Write rows built by :func:`audit_row` in one insert (an action touching thousands of
    objects still writes one row per object, in the same transaction)."""
    AuditLog.objects.bulk_create(rows, batch_size=1000)


def audit_row(
    *,
    actor: Actor,
    verb: str,
    target: Model | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target_type: str | None = None,
) -> AuditLog:
    """An unsaved audit row (see :func:`record`)."""
    row = AuditLog(
        at=clock.now(),
        actor_id=actor.user_id,
        actor_name=actor.username or "system",
        verb=verb,
        target_type=target_type or (target._meta.label_lower if target is not None else ""),
        target_id=str(target.pk) if target is not None else "",
        before=before,
        after=after,
        ip=actor.ip,
    )
    if isinstance(target, Placed):
        row.district_id = target.district_id
        row.street_id = target.street_id
        row.community_id = target.community_id
        row.grid_id = target.grid_id
    return row


