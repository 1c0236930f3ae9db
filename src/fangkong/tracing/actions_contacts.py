"""Bringing contacts under control: assign a worker, advance identified → notified → located
→ transferred, and escalate those not located in time (a job, as the system)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, actor_for, get_scoped, scope
from fangkong.core.models import AdminUnit
from fangkong.core.rights import Right
from fangkong.tracing import logic
from fangkong.tracing.models import Contact, ContactStatus, TracingPolicy
from fangkong.tracing.policy import policy_in_force

SYSTEM = Actor(user_id=None, username="system", unit=None)


def _managed_contact(actor: Actor, contact_id: int) -> Contact:
    """Workflow writes belong to the contact's residence area (its grid's workers)."""
    actor.require(Right.CONTACT_MANAGE)
    return get_scoped(Contact.objects.select_for_update(), actor, what="contact", pk=contact_id)


def check_assign_contact(*, actor: Actor, contact: Contact, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    user = User.objects.filter(pk=owner_id, is_active=True).first()
    if user is None:
        raise DomainError(_("no such user"), field="owner_id")
    owner = actor_for(user)
    if not owner.can(Right.CONTACT_MANAGE) or not scope(
            Contact.objects.filter(pk=contact.pk), owner).exists():
        raise DomainError(_("this user cannot manage contacts of that area"),
                          field="owner_id")
    return user


def do_assign_contact(*, actor: Actor, contact_id: int, owner_id: int | None) -> Contact:
    """Give the contact to a worker who may manage it (None: unassign)."""
    with transaction.atomic():
        contact = _managed_contact(actor, contact_id)
        before = snapshot(contact)
        contact.owner = check_assign_contact(actor=actor, contact=contact, owner_id=owner_id)
        contact.save(update_fields=["owner"])
        record(actor=actor, verb="tracing.contact.assign", target=contact, before=before,
               after=snapshot(contact))
    return contact


def do_advance_contact(*, actor: Actor, contact_id: int, to_status: str, disposition: str = "",
                       destination: str = "") -> Contact:
    """Move forward in the state machine (``logic.plan_transition``), stamping the time."""
    with transaction.atomic():
        contact = _managed_contact(actor, contact_id)
        before = snapshot(contact)
        stamps = {f: getattr(contact, f) for f in logic.STAMP.values()}
        try:
            updates = logic.plan_transition(
                current=contact.status, to=to_status, at=clock.now(), stamps=stamps,
                disposition=disposition, destination=destination)
        except logic.TransitionError as exc:
            raise _refusal(exc, current=contact.status, to=to_status) from exc
        for name, value in updates.items():
            setattr(contact, name, value)
        contact.save(update_fields=list(updates))
        record(actor=actor, verb="tracing.contact.advance", target=contact, before=before,
               after=snapshot(contact))
    return contact


def _refusal(exc: logic.TransitionError, *, current: str, to: str) -> DomainError:
    """The state machine's refusal in the reader's language."""
    if exc.conflict:
        return Conflict(_("a contact cannot go from %(current)s to %(to)s")
                        % {"current": current, "to": to}, field=exc.field)
    message = {"to_status": _("unknown status %(to)s") % {"to": to},
               "disposition": _("choose centralised or home quarantine"),
               "destination": _("give the quarantine place or the home address")}
    return DomainError(message.get(exc.field, exc.message), field=exc.field)


def _version_bounds(now: dt.datetime) -> list[tuple[TracingPolicy, dt.datetime | None]]:
    """Each policy version with the instant the next one takes over (None: still in force).
    A contact is judged by the version in force when it was identified."""
    versions = list(TracingPolicy.objects.order_by("effective_from", "id"))
    if not versions:
        return [(policy_in_force(on=now.date()), None)]
    tz = timezone.get_default_timezone()
    bounds: list[tuple[TracingPolicy, dt.datetime | None]] = []
    for i, version in enumerate(versions):
        nxt = versions[i + 1].effective_from if i + 1 < len(versions) else None
        until = dt.datetime.combine(nxt, dt.time(0), tzinfo=tz) if nxt else None
        bounds.append((version, until))
    return bounds


def do_escalate_unlocated(*, now: dt.datetime | None = None) -> int:
    """Mark contacts still not located ``escalate_unlocated_hours`` after being identified
    (idempotent: each is escalated once). One audit row per district, as the system."""
    now = now or clock.now()
    open_states = [ContactStatus.IDENTIFIED, ContactStatus.NOTIFIED]
    with transaction.atomic():
        by_district: dict[int | None, list[int]] = defaultdict(list)
        since: dt.datetime | None = None
        for version, until in _version_bounds(now):
            cutoff = now - dt.timedelta(hours=version.escalate_unlocated_hours)
            qs = Contact.objects.filter(status__in=open_states, escalated_at__isnull=True,
                                        identified_at__lte=cutoff)
            if since is not None:
                qs = qs.filter(identified_at__gte=since)
            if until is not None:
                qs = qs.filter(identified_at__lt=until)
            for pk, place in qs.values_list("pk", "district_id"):
                by_district[place].append(pk)
            since = until
        ids = [pk for group in by_district.values() for pk in group]
        for lo in range(0, len(ids), 500):
            Contact.objects.filter(pk__in=ids[lo:lo + 500]).update(escalated_at=now)
        units = AdminUnit.objects.in_bulk([d for d in by_district if d is not None])
        for district_id, group in by_district.items():
            record(actor=SYSTEM, verb="tracing.contact.escalate",
                   target=units.get(district_id) if district_id else None,
                   target_type="tracing.contact",
                   after={"count": len(group), "contacts": group[:1000], "at": str(now)})
    return len(ids)
