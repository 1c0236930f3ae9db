"""Appeals against a health-code colour. A resident files one from their page (through the
signed link); it is Placed at their residence and keeps the colour and reasons of that moment,
so staff answer what the resident saw. The residence's staff read them (HEALTHCODE_VIEW) and
answer them (HEALTHCODE_CHANGE); changing the colour itself is a manual change with a second
person's approval, never part of an answer. The 12345 hotline (issue 8) will route appeals as
tickets.

A resent form stores one appeal: its client key is unique per person (a column with a
constraint), and the person's row is locked while an appeal is filed."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.healthcode.models import Appeal, AppealStatus, PersonCode
from fangkong.healthcode.resident import link_actor
from fangkong.registry.models import Person

CREATE_VERB = "healthcode.appeal.create"
MAX_MESSAGE = 2000
MAX_OPEN_PER_PERSON = 3  # a leaked link cannot flood the community's staff


def check_appeal(*, person: Person, message: str, client_key: str) -> None:
    if not message:
        raise DomainError(_("write what you think is wrong with your code"), field="message")
    if len(message) > MAX_MESSAGE:
        raise DomainError(_("at most %(n)d characters") % {"n": MAX_MESSAGE}, field="message")
    if not 8 <= len(client_key) <= 64:
        raise DomainError(_("a client key of 8 to 64 characters is required"),
                          field="client_key")
    if Appeal.objects.filter(person=person, status=AppealStatus.OPEN).count() \
            >= MAX_OPEN_PER_PERSON:
        raise Conflict(_("you already have %(n)d open appeals: wait for an answer, or call "
                         "the hotline 12345") % {"n": MAX_OPEN_PER_PERSON}, field="message")


def _already_filed(person: Person, client_key: str) -> Appeal | None:
    return Appeal.objects.filter(person=person, client_key=client_key).first()


def _code_now(person: Person) -> PersonCode:
    code = PersonCode.objects.filter(person=person).first()
    if code is None:
        from fangkong.healthcode.recompute import do_recompute_person

        code = do_recompute_person(person_id=person.pk)
    return code


def do_file_appeal(*, person: Person, message: str, client_key: str,
                   ip: str | None = None) -> Appeal:
    """File a resident's appeal; the same client key again returns the first one."""
    message, client_key = message.strip(), client_key.strip()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        earlier = _already_filed(locked, client_key) if client_key else None
        if earlier is not None:
            return earlier
        check_appeal(person=locked, message=message, client_key=client_key)
        code = _code_now(locked)
        appeal = Appeal(person=locked, colour=code.colour, reasons=code.reasons,
                        message=message, client_key=client_key, created_at=clock.now())
        appeal.district_id, appeal.street_id = locked.district_id, locked.street_id
        appeal.community_id, appeal.grid_id = locked.community_id, locked.grid_id
        appeal.save()
        record(actor=link_actor(locked, ip=ip), verb=CREATE_VERB, target=appeal,
               after=snapshot(appeal))
    return appeal


def appeals_of(person: Person) -> QuerySet[Appeal]:
    """What the resident's page shows: their own appeals, newest first."""
    return Appeal.objects.filter(person=person).order_by("-created_at", "-id")


def appeals_for(actor: Actor, *, status: str = "") -> QuerySet[Appeal]:
    """The appeals of residents in the actor's jurisdiction, open ones first."""
    actor.require(Right.HEALTHCODE_VIEW)
    rows = scope(Appeal.objects.select_related("person"), actor)
    if status:
        if status not in AppealStatus.values:
            raise DomainError(_("unknown status %(s)s") % {"s": status}, field="status")
        rows = rows.filter(status=status)
    return rows.order_by("-status", "created_at", "id")


def check_answer(*, appeal: Appeal, answer: str) -> None:
    if not answer:
        raise DomainError(_("write the answer the resident will read"), field="answer")
    if len(answer) > MAX_MESSAGE:
        raise DomainError(_("at most %(n)d characters") % {"n": MAX_MESSAGE}, field="answer")
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(_("this appeal was already answered"), field="status")


def do_answer_appeal(*, actor: Actor, appeal_id: int, answer: str) -> Appeal:
    """Answer an open appeal of a resident in the actor's jurisdiction (audited)."""
    actor.require(Right.HEALTHCODE_CHANGE)
    answer = answer.strip()
    with transaction.atomic():
        appeal = get_scoped(Appeal.objects.select_for_update(), actor, what="appeal",
                            pk=appeal_id)
        check_answer(appeal=appeal, answer=answer)
        before = snapshot(appeal)
        appeal.status, appeal.answer = AppealStatus.ANSWERED, answer
        appeal.answered_by_id, appeal.answered_at = actor.user_id, clock.now()
        appeal.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        record(actor=actor, verb="healthcode.appeal.answer", target=appeal, before=before,
               after=snapshot(appeal))
    return appeal
