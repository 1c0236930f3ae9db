"""Exemptions: a registered resident who will not be sampled this round, with the reason
(away, in hospital, ...). An exemption makes the resident accounted for, so it is refused
for anyone already sampled, for visitors and people outside the round, and in a closed round.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.testing.coverage import registered_q
from fangkong.testing.models import (
    Campaign,
    CampaignStatus,
    Exemption,
    ExemptionReason,
    Sample,
    SampleKind,
)
from fangkong.testing.queries import get_campaign

NOTE_MAX = 200


def _open_campaign(actor: Actor, campaign_id: int) -> Campaign:
    actor.require(Right.SCREENING_MANAGE)
    campaign = get_campaign(actor, campaign_id)
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("the round is closed; its exemptions can no longer change"),
                       field="campaign")
    return campaign


def check_add_exemption(*, actor: Actor, campaign: Campaign, person_id: int, reason: str,
                        note: str) -> Person:
    """The person must be a registered resident of the round in the actor's scope, neither
    sampled nor exempt yet; the reason must be known, and "other" needs a note."""
    if reason not in ExemptionReason.values:
        raise DomainError(_("choose a reason for the exemption"), field="reason")
    if reason == ExemptionReason.OTHER and not note.strip():
        raise DomainError(_("say why in the note when the reason is \"other\""), field="note")
    if len(note) > NOTE_MAX:
        raise DomainError(_("the note is longer than %(n)s characters") % {"n": NOTE_MAX},
                          field="note")
    person = get_scoped(Person.objects.all(), actor, what="person", pk=person_id)
    if not Person.objects.filter(registered_q(campaign), pk=person.pk).exists():
        raise DomainError(_("only a registered resident of this round can be exempted"),
                          field="person_id")
    if Sample.objects.filter(campaign=campaign, person=person,
                             kind=SampleKind.SCREENING).exists():
        raise Conflict(_("this resident has already been sampled in this round"),
                       field="person_id")
    if Exemption.objects.filter(campaign=campaign, person=person).exists():
        raise Conflict(_("this resident is already exempt in this round"), field="person_id")
    return person


def do_add_exemption(*, actor: Actor, campaign_id: int, person_id: int, reason: str,
                     note: str = "") -> Exemption:
    """Record the exemption at the resident's grid, audited, in one transaction."""
    note = note.strip()
    with transaction.atomic():
        campaign = _open_campaign(actor, campaign_id)
        person = check_add_exemption(actor=actor, campaign=campaign, person_id=person_id,
                                     reason=reason, note=note)
        exemption = Exemption(campaign=campaign, person=person, reason=reason, note=note,
                              created_by_id=actor.user_id, created_at=clock.now())
        exemption.district_id, exemption.street_id = person.district_id, person.street_id
        exemption.community_id, exemption.grid_id = person.community_id, person.grid_id
        try:
            with transaction.atomic():
                exemption.save(force_insert=True)
        except IntegrityError as exc:  # a second click raced the first
            raise Conflict(_("this resident is already exempt in this round"),
                           field="person_id") from exc
        record(actor=actor, verb="screening.exemption.add", target=exemption,
               after=snapshot(exemption))
    return exemption


def do_remove_exemption(*, actor: Actor, campaign_id: int, exemption_id: int) -> Person:
    """Withdraw an exemption (the resident is untested again); returns the resident."""
    with transaction.atomic():
        campaign = _open_campaign(actor, campaign_id)
        exemption = get_scoped(
            Exemption.objects.select_for_update().filter(campaign=campaign), actor,
            what="exemption", pk=exemption_id)
        before = snapshot(exemption)
        record(actor=actor, verb="screening.exemption.remove", target=exemption, before=before)
        person = Person.objects.get(pk=exemption.person_id)
        exemption.delete()
    return person


def exemption_of(*, actor: Actor, campaign: Campaign, person_id: int) -> Exemption:
    return get_scoped(Exemption.objects.filter(campaign=campaign), actor, what="exemption",
                      person_id=person_id)
