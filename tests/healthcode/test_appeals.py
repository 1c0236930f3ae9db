"""Appeals: filed through the resident's link with the colour and reasons of that moment,
stored once per client key, read and answered only by the staff of the residence."""

from __future__ import annotations

import pytest

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AuditLog
from fangkong.healthcode import appeals
from fangkong.healthcode.models import Appeal, AppealStatus
from tests.factories import City
from tests.healthcode.builders_resident import make_override, staff


def _file(city: City, *, key: str = "key-0001", message: str = "I was never there") -> Appeal:
    return appeals.do_file_appeal(person=city.districts[0].persons[0], message=message,
                                  client_key=key)


def test_an_appeal_keeps_the_colour_and_reasons_it_was_filed_against(city: City) -> None:
    person = city.districts[0].persons[0]
    make_override(person, colour="red")
    appeal = _file(city)
    assert appeal.colour == "red" and "override" in [r["code"] for r in appeal.reasons]
    assert (appeal.district_id, appeal.grid_id) == (person.district_id, person.grid_id)
    assert appeal.status == AppealStatus.OPEN
    row = AuditLog.objects.get(verb=appeals.CREATE_VERB)
    assert row.actor_id is None and row.actor_name == f"resident-link:{person.pk}"


def test_the_same_client_key_stores_one_appeal(city: City) -> None:
    first = _file(city, key="resend-0001")
    again = _file(city, key="resend-0001")
    assert first.pk == again.pk and Appeal.objects.count() == 1
    other = _file(city, key="resend-0002")
    assert other.pk != first.pk and Appeal.objects.count() == 2


def test_bad_appeals_name_their_field_and_store_nothing(city: City) -> None:
    with pytest.raises(DomainError) as empty:
        _file(city, message="   ")
    assert empty.value.field == "message"
    with pytest.raises(DomainError) as keyless:
        _file(city, key="")
    assert keyless.value.field == "client_key"
    assert not Appeal.objects.exists()


def test_open_appeals_per_person_are_capped(city: City) -> None:
    for n in range(appeals.MAX_OPEN_PER_PERSON):
        _file(city, key=f"capped-{n:04d}")
    with pytest.raises(Conflict):
        _file(city, key="capped-9999")


def test_staff_of_the_residence_see_it_and_no_one_else(city: City) -> None:
    appeal = _file(city)
    assert list(appeals.appeals_for(staff(city, 0))) == [appeal]
    assert not appeals.appeals_for(staff(city, 1)).exists()
    nowhere = Actor(user_id=None, username="x", unit=None,
                    rights=staff(city, 0).rights)
    assert not appeals.appeals_for(nowhere).exists()
    with pytest.raises(DomainError):
        appeals.appeals_for(staff(city, 0), status="lost")


def test_an_answer_needs_the_change_right_scope_and_an_open_appeal(city: City) -> None:
    appeal = _file(city)
    viewer = staff(city, 0, roles=("grid_worker",))
    with pytest.raises(PermissionDenied):
        appeals.do_answer_appeal(actor=viewer, appeal_id=appeal.pk, answer="ok")
    with pytest.raises(NotFound):
        appeals.do_answer_appeal(actor=staff(city, 1), appeal_id=appeal.pk, answer="ok")
    officer = staff(city, 0)
    with pytest.raises(DomainError) as blank:
        appeals.do_answer_appeal(actor=officer, appeal_id=appeal.pk, answer=" ")
    assert blank.value.field == "answer"
    done = appeals.do_answer_appeal(actor=officer, appeal_id=appeal.pk,
                                    answer="Checked: the case link was wrong.")
    assert done.status == AppealStatus.ANSWERED and done.answered_by_id == officer.user_id
    with pytest.raises(Conflict):
        appeals.do_answer_appeal(actor=officer, appeal_id=appeal.pk, answer="again")
    assert AuditLog.objects.filter(verb="healthcode.appeal.answer").count() == 1
    assert list(appeals.appeals_of(city.districts[0].persons[0])) == [done]
