"""Personal numbers: masked on every person page and answer, full only through the audited
reveal, and only to a role holding pii.view, inside its own district.

(The matrix adds the wide net: no answer of any route, to any caller without pii.view,
contains a resident's full ID-card or phone number.)"""

from __future__ import annotations

import json

import pytest

from fangkong.core.models import AuditLog
from fangkong.core.privacy import mask_id_number, mask_phone
from fangkong.core.rights import ROLE_RIGHTS, Right, Role
from tests.authz.conftest import CITY_ROLES, Matrix

pytestmark = pytest.mark.django_db

READERS = [r for r in Role if Right.REGISTRY_VIEW in ROLE_RIGHTS[r]]
REVEALERS = [r for r in READERS if Right.PII_VIEW in ROLE_RIGHTS[r]]
MASKED_ONLY = [r for r in READERS if Right.PII_VIEW not in ROLE_RIGHTS[r]]


def _numbers(matrix: Matrix, district: int = 0) -> tuple[int, str, str]:
    """A resident's id and full ID-card and phone numbers (the factory gives both)."""
    person = matrix.city.districts[district].persons[0]
    assert person.id_number and person.phone
    return person.pk, person.id_number, person.phone


def _pages(matrix: Matrix, role: Role) -> list[str]:
    client, person = matrix.clients[role.value], matrix.city.districts[0].persons[0]
    return [client.get(url).content.decode() for url in (
        f"/persons/{person.pk}/", f"/persons/?q={person.name}",
        f"/api/v1/registry/persons/{person.pk}", f"/api/v1/registry/persons?q={person.name}",
        f"/households/{person.household_id}/")]


@pytest.mark.parametrize("role", READERS, ids=str)
def test_person_pages_and_answers_show_numbers_masked(matrix: Matrix, role: Role) -> None:
    _, id_number, phone = _numbers(matrix)
    pages = _pages(matrix, role)
    for text in pages:
        assert id_number not in text and phone not in text
    detail, _, api_detail, _, _ = pages
    assert mask_id_number(id_number) in detail
    assert json.loads(api_detail)["id_number"] == mask_id_number(id_number)
    assert json.loads(api_detail)["phone"] == mask_phone(phone) == phone[:3] + "****" + phone[-4:]


def _reads(person_pk: int) -> int:
    return AuditLog.objects.filter(verb="pii.read", target_id=str(person_pk)).count()


@pytest.mark.parametrize("role", REVEALERS, ids=str)
def test_pii_view_reveals_in_full_and_each_read_is_audited(matrix: Matrix, role: Role) -> None:
    client, (pk, id_number, phone) = matrix.clients[role.value], _numbers(matrix)
    page = client.post(f"/persons/{pk}/reveal").content.decode()
    assert id_number in page and phone in page
    assert _reads(pk) == 1
    answer = client.post(f"/api/v1/registry/persons/{pk}/reveal").json()
    assert (answer["id_number"], answer["phone"]) == (id_number, phone)
    row = AuditLog.objects.filter(verb="pii.read", target_id=str(pk)).first()
    assert _reads(pk) == 2 and row is not None and row.actor_name == f"authz-{role}"


@pytest.mark.parametrize("role", [r for r in REVEALERS if r not in CITY_ROLES], ids=str)
def test_no_reveal_in_the_other_district(matrix: Matrix, role: Role) -> None:
    client, foreign = matrix.clients[role.value], matrix.city.districts[1].persons[0]
    assert client.post(f"/persons/{foreign.pk}/reveal").status_code == 404
    assert client.post(f"/api/v1/registry/persons/{foreign.pk}/reveal").status_code == 404
    assert _reads(foreign.pk) == 0


@pytest.mark.parametrize("role", MASKED_ONLY, ids=str)
def test_without_pii_view_no_reveal_and_nothing_audited(matrix: Matrix, role: Role) -> None:
    client, (pk, id_number, _) = matrix.clients[role.value], _numbers(matrix)
    page = client.post(f"/persons/{pk}/reveal")
    answer = client.post(f"/api/v1/registry/persons/{pk}/reveal")
    assert page.status_code == answer.status_code == 403
    for response in (page, answer):
        assert id_number not in response.content.decode()
    assert _reads(pk) == 0


def test_the_roles_split_both_ways() -> None:
    """Both kinds of reader exist, so neither half of this file is vacuous."""
    assert Role.VIEWER in MASKED_ONLY and Role.COMMANDER in MASKED_ONLY
    assert Role.STREET_WORKER in REVEALERS and Role.HOTLINE_AGENT in REVEALERS
