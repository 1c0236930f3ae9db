"""A token is handed out again for the same status and key while more than half its life is
left, and never once the status, the key or half its life has changed."""

from __future__ import annotations

import datetime as dt

from fangkong.healthcode.issue import do_issue_code
from fangkong.healthcode.keys import do_generate_key, do_rotate
from fangkong.healthcode.models import PersonCode
from tests.factories import City
from tests.healthcode.builders_tokens import T0, make_code

NOW = T0 + dt.timedelta(minutes=5)
MINUTE = dt.timedelta(minutes=1)


def test_the_same_status_gets_the_same_token_for_half_its_life(city: City) -> None:
    do_generate_key(now=T0)
    person = city.districts[0].persons[0]
    make_code(person, colour="yellow")
    first = do_issue_code(person_id=person.pk, now=NOW)
    assert do_issue_code(person_id=person.pk, now=NOW + 14 * MINUTE).token == first.token
    later = do_issue_code(person_id=person.pk, now=NOW + 16 * MINUTE)  # 30-minute tokens
    assert later.token != first.token and later.issued_at == NOW + 16 * MINUTE


def test_a_new_colour_or_key_gets_a_new_token_at_once(city: City) -> None:
    do_generate_key(now=T0)
    person = city.districts[0].persons[1]
    make_code(person, colour="green")
    first = do_issue_code(person_id=person.pk, now=NOW)
    PersonCode.objects.filter(person=person).update(colour="red")
    red = do_issue_code(person_id=person.pk, now=NOW + MINUTE)
    assert red.token != first.token and red.payload.colour == "red"
    do_rotate(now=NOW + 2 * MINUTE)
    rotated = do_issue_code(person_id=person.pk, now=NOW + 2 * MINUTE)
    assert rotated.payload.kid != red.payload.kid
