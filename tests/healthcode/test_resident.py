"""The resident's link and code: a signed link that only opens its own person's page, a code
whose colour and reasons come from the stored status in plain words, a token that verifies
offline with the published keys and holds nothing personal."""

from __future__ import annotations

import json

import pytest

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from fangkong.healthcode import logic, resident, tokens
from fangkong.healthcode.keys import public_keys
from fangkong.registry.models import Person
from tests.factories import City
from tests.healthcode.builders_resident import make_override, staff, with_key


def test_the_link_opens_its_own_person_and_nothing_else(city: City) -> None:
    person = city.districts[0].persons[0]
    token = resident.resident_token(person)
    assert resident.read_resident_token(token) == person
    assert resident.resident_link(person) == f"/c/{token}/"
    for bad in (token[:-2] + "xx", token.replace(":", ";"), "", "abc"):
        with pytest.raises(NotFound):
            resident.read_resident_token(bad)


def test_a_moved_away_persons_link_dies(city: City) -> None:
    person = city.districts[0].persons[0]
    token = resident.resident_token(person)
    Person.objects.filter(pk=person.pk).update(inactive_since="2022-01-01")
    with pytest.raises(NotFound):
        resident.read_resident_token(token)


def test_staff_make_a_link_in_scope_only_and_it_is_audited(city: City) -> None:
    person = city.districts[0].persons[0]
    link = resident.do_make_resident_link(actor=staff(city, 0), person_id=person.pk)
    assert resident.read_resident_token(link.strip("/").split("/")[1]) == person
    assert AuditLog.objects.filter(verb="healthcode.resident.link",
                                   target_id=str(person.pk)).count() == 1
    with pytest.raises(NotFound):
        resident.do_make_resident_link(actor=staff(city, 1), person_id=person.pk)
    with pytest.raises(PermissionDenied):
        resident.do_make_resident_link(actor=staff(city, 0, roles=("viewer",)),
                                       person_id=person.pk)


def test_every_reason_and_remedy_the_engine_gives_has_resident_words() -> None:
    assert set(logic.REASONS) <= set(resident.REASON_TEXT)
    assert set(logic.CLEARS) <= set(resident.CLEARS_TEXT)
    assert set(logic.POPUPS) <= set(resident.FLAG_TEXT)
    assert set(logic.COLOURS) <= set(resident.COLOUR_TEXT)


def test_an_unknown_reason_still_gets_a_line_and_a_way_out() -> None:
    line = resident.reason_line({"code": "martian", "clears": "nothing"})
    assert "martian" in line.text and "12345" in line.clears


def test_a_red_override_shows_red_with_its_end(city: City) -> None:
    with_key()
    person = city.districts[0].persons[0]
    override = make_override(person, colour="red", days=3)
    code = resident.current_code(person)
    assert code.colour == "red" and code.svg.startswith("<svg")
    [line] = [r for r in code.reasons if r.code == "override"]
    assert line.text.startswith("Your colour was set by hand")
    assert override.expires_at.astimezone().strftime("%Y") in line.clears
    assert code.issued_at < code.refresh_at < code.expires_at


def test_the_token_verifies_offline_and_holds_nothing_personal(city: City) -> None:
    with_key()
    person = city.districts[0].persons[1]
    code = resident.current_code(person)
    checked = tokens.verify_token(code.token, public_keys=public_keys(),
                                  now=code.issued_at.timestamp())
    assert checked.valid and checked.payload is not None
    assert checked.payload.colour == code.colour == "green"
    served = json.dumps(resident.code_payload(code), ensure_ascii=False)
    for personal in (person.name, person.id_number, person.phone, person.address):
        if personal:
            assert personal not in served and personal not in code.token


def test_without_a_signing_key_the_code_is_refused_clearly(city: City) -> None:
    with pytest.raises(DomainError, match="keygen"):
        resident.current_code(city.districts[0].persons[0])
