"""Signing keys: generated encrypted under the server's secret, rotated with the old key
published until its codes expire, and served as public keys (file and API); the verify API
answers for a door device in any district and says nothing about the person."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.test import Client, override_settings

from fangkong.core.errors import DomainError
from fangkong.core.models import AuditLog
from fangkong.healthcode import keys, tokens
from fangkong.healthcode.issue import do_issue_code
from fangkong.healthcode.models import SigningKey
from tests.factories import PASSWORD, City, make_user
from tests.healthcode.builders_tokens import T0, make_code

API = "/api/v1/healthcode"
KEYS_URL = "/public/healthcode/keys.json"


def _unpad(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_generated_key_is_ed25519_with_its_private_half_encrypted(city: City) -> None:
    key = keys.do_generate_key(now=T0)
    assert re.fullmatch(r"[A-Za-z0-9_-]{6}", key.kid)
    assert len(_unpad(key.public_key)) == 32
    private = keys.private_key_of(key)
    raw = private.private_bytes_raw()
    assert base64.b64encode(raw).decode() not in key.private_key
    assert base64.urlsafe_b64encode(raw).decode().rstrip("=") not in key.private_key
    assert private.public_key().public_bytes_raw() == _unpad(key.public_key)
    assert AuditLog.objects.filter(verb="healthcode.key.generate", target_id=str(key.pk)).exists()


def test_another_servers_secret_cannot_unlock_the_key(city: City) -> None:
    key = keys.do_generate_key(now=T0)
    keys._unlocked.clear()
    with override_settings(SECRET_KEY="another-secret"), \
            pytest.raises(DomainError, match="keygen --rotate"):
        keys.private_key_of(key)


def test_no_key_is_a_clear_error_and_ensure_creates_one(city: City) -> None:
    with pytest.raises(DomainError, match="fangkong healthcode keygen"):
        keys.active_key()
    made = keys.ensure_active_key(now=T0)
    assert keys.ensure_active_key(now=T0) == made == keys.active_key()


def test_rotation_retires_the_old_key_which_stays_published_until_its_codes_expire(
        city: City) -> None:
    old = keys.do_generate_key(now=T0)
    person = city.districts[0].persons[0]
    make_code(person)
    before = do_issue_code(person_id=person.pk, now=T0 + dt.timedelta(minutes=50))
    rotated_at = T0 + dt.timedelta(hours=1)
    new = keys.do_rotate(now=rotated_at)
    old.refresh_from_db()
    assert old.retired_at == rotated_at and keys.active_key() == new
    after = do_issue_code(person_id=person.pk, now=rotated_at + dt.timedelta(minutes=1))
    assert after.payload.kid == new.kid
    check = rotated_at + dt.timedelta(minutes=5)
    published = keys.public_keys(check)
    assert set(published) == {old.kid, new.kid}
    assert tokens.verify_token(before.token, public_keys=published, now=check).valid
    assert tokens.verify_token(after.token, public_keys=published, now=check).valid
    longest = keys.longest_token_minutes()
    assert longest == 30  # the seeded versions
    gone = rotated_at + dt.timedelta(minutes=longest + 1)
    assert [k.kid for k in keys.published_keys(gone)] == [new.kid]
    assert AuditLog.objects.filter(verb="healthcode.key.retire", target_id=str(old.pk)).exists()


def test_the_public_keys_file_needs_no_login_and_revalidates(client: Client, city: City) -> None:
    key = keys.do_generate_key()
    response = client.get(KEYS_URL)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    document = response.json()
    assert document["algorithm"] == "Ed25519" and document["format"] == "FK1"
    assert document["keys"] == [{"kid": key.kid, "algorithm": "Ed25519",
                                 "public_key": key.public_key,
                                 "valid_from": key.created_at.isoformat(), "retired_at": None}]
    assert "private" not in response.content.decode()
    again = client.get(KEYS_URL, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    keys.do_rotate()
    assert client.get(KEYS_URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_the_public_verifier_page_needs_no_login(client: Client, city: City) -> None:
    page = client.get("/public/healthcode/verify/?lang=en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "healthcode/verify.js" in body and KEYS_URL in body
    assert "Forged or altered code" in body


@pytest.fixture
def doors(city: City) -> dict[str, Client]:
    """Door staff of each district, and district 1's grid worker (no gate right)."""
    made = {"door1": city.districts[0].unit, "door2": city.districts[1].unit}
    clients = {}
    for name, unit in made.items():
        make_user(name, unit=unit, roles=["door_staff"])
    make_user("worker1", unit=city.districts[0].grids[0], roles=["grid_worker"])
    for name in (*made, "worker1"):
        client = Client()
        assert client.login(username=name, password=PASSWORD)
        clients[name] = client
    return clients


def _verify(client: Client, token: object) -> tuple[int, dict[str, object]]:
    response = client.post(f"{API}/tokens/verify", {"token": token},
                           content_type="application/json")
    return response.status_code, response.json()


def test_verify_api_for_a_door_of_another_district_holds_nothing_personal(
        city: City, doors: dict[str, Client]) -> None:
    keys.do_generate_key()
    person = city.districts[0].persons[0]
    code = make_code(person, colour="yellow", flags=("test_missing",))
    token = do_issue_code(person_id=person.pk).token
    status, body = _verify(doors["door2"], token)  # residents cross district lines
    assert status == 200 and body["valid"] is True and body["reason"] == ""
    assert body["colour"] == "yellow" and body["flags"] == ["test_missing"]
    assert body["pseudonym"] == code.pseudonym
    text = str(body)
    assert person.name not in text and (person.phone or "x") not in text
    assert str(person.id_number) not in text


def test_verify_api_answers_reasons_and_refuses_without_the_gate_right(
        city: City, doors: dict[str, Client]) -> None:
    keys.do_generate_key()
    person = city.districts[0].persons[0]
    make_code(person, colour="red")
    token = do_issue_code(person_id=person.pk).token
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    assert _verify(doors["door1"], tampered)[1]["reason"] == "bad_signature"
    assert _verify(doors["door1"], "hello")[1] == {
        "valid": False, "reason": "malformed", "colour": None, "flags": [], "pseudonym": None,
        "kid": None, "issued_at": None, "expires_at": None}
    too_long, body = _verify(doors["door1"], "FK1" + "A" * 600)
    assert too_long == 422 and "token" in str(body)
    assert _verify(doors["worker1"], token)[0] == 403
    assert Client().post(f"{API}/tokens/verify", {"token": token},
                         content_type="application/json").status_code == 401


def test_keys_api_is_the_public_document(city: City, doors: dict[str, Client]) -> None:
    keys.do_generate_key()
    via_api = doors["door1"].get(f"{API}/keys").json()
    via_file = Client().get(KEYS_URL).json()
    assert via_api["keys"] == via_file["keys"] and len(via_api["keys"]) == 1
    assert doors["worker1"].get(f"{API}/keys").status_code == 403


def test_kids_are_unique(city: City) -> None:
    made = {keys.do_rotate().kid for _ in range(20)}
    assert len(made) == 20 == SigningKey.objects.count()
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1


def test_the_server_verifier_knows_a_rotated_key_at_once(city: City,
                                                         doors: dict[str, Client]) -> None:
    keys.do_generate_key()
    person = city.districts[0].persons[0]
    make_code(person)
    first = do_issue_code(person_id=person.pk).token
    assert _verify(doors["door1"], first)[1]["valid"] is True  # the keys are now held
    keys.do_rotate()
    second = do_issue_code(person_id=person.pk).token
    assert _verify(doors["door1"], second)[1]["valid"] is True
    assert _verify(doors["door1"], first)[1]["valid"] is True  # retired, still published
