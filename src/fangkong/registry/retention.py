"""Purge personal data of persons inactive (moved away, died) for longer than retention."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fangkong.core import clock
from fangkong.core.models import AuditLog
from fangkong.core.retention import register_purger
from fangkong.registry.models import Person


def purge_inactive_persons(cutoff: dt.datetime) -> int:
    """Blank identifying fields; the row stays so counts and history still add up."""
    with transaction.atomic():
        stale = Person.objects.filter(inactive_since__lt=cutoff.date(), purged=False)
        ids = list(stale.values_list("pk", flat=True))
        stale.update(
            name="", id_number=None, id_last4="", phone="", phone_last4="",
            birth_date=None, address="", purged=True,
        )
        if ids:
            AuditLog.objects.create(
                at=clock.now(), actor_name="system", verb="retention.purge",
                target_type="registry.person", target_id="", after={"count": len(ids)},
            )
    return len(ids)


register_purger("registry.persons", purge_inactive_persons)
