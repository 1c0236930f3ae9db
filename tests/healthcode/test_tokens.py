"""Signed codes verified offline: a valid code is accepted; a forged, altered, expired,
not-yet-valid or wrong-key code is rejected with its reason; nothing raises on garbage; the
token holds no personal data; issuing signs the stored status for the version's lifetime."""

from __future__ import annotations

import base64
import datetime as dt
import sys
import types

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core.errors import DomainError
from fangkong.healthcode import tokens
from fangkong.healthcode.issue import do_issue_code
from fangkong.healthcode.keys import do_generate_key, public_keys
from fangkong.healthcode.logic import COLOURS, POPUPS
from fangkong.registry.models import Person
from tests.factories import City
from tests.healthcode.builders_tokens import T0, key_document, make_code, payload

KEY = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
KEYS = tokens.public_keys_from_json(key_document(("k1abcd", KEY)))
NOW = T0 + dt.timedelta(minutes=5)

safe_text = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                    min_size=1, max_size=24)
payloads = st.builds(
    tokens.TokenPayload, kid=st.just("k1abcd"), pseudonym=safe_text,
    colour=st.sampled_from(COLOURS),
    flags=st.sets(st.sampled_from(POPUPS)).map(lambda s: tuple(p for p in POPUPS if p in s)),
    issued_at=st.integers(tokens.epoch(T0), tokens.epoch(T0) + 10**8), expires_at=st.just(0),
).map(lambda p: tokens.TokenPayload(kid=p.kid, pseudonym=p.pseudonym, colour=p.colour,
                                    flags=p.flags, issued_at=p.issued_at,
                                    expires_at=p.issued_at + 1800))


def _verify(token: object, now: dt.datetime | int = NOW) -> tokens.Verified:
    return tokens.verify_token(token, public_keys=KEYS, now=now)


@given(payloads)
def test_a_signed_code_verifies_offline_and_says_what_was_signed(p: tokens.TokenPayload) -> None:
    result = _verify(tokens.sign_token(p, KEY), now=p.issued_at + 60)
    assert result == tokens.Verified(True, "", p)


@given(payloads, st.data())
def test_any_altered_character_is_rejected(p: tokens.TokenPayload, data: st.DataObject) -> None:
    token = tokens.sign_token(p, KEY)
    at = data.draw(st.integers(len(tokens.PREFIX), len(token) - 1))
    other = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").filter(
        lambda c: c != token[at]))
    result = _verify(token[:at] + other + token[at + 1:], now=p.issued_at + 60)
    assert not result.valid
    assert result.reason in (tokens.MALFORMED, tokens.BAD_SIGNATURE, tokens.UNKNOWN_KEY)


@given(payloads, st.data())
def test_any_flipped_bit_of_payload_or_signature_is_rejected(p: tokens.TokenPayload,
                                                            data: st.DataObject) -> None:
    raw = bytearray(tokens.decode_token(tokens.sign_token(p, KEY))[1]
                    + tokens.decode_token(tokens.sign_token(p, KEY))[2])
    raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    altered = tokens.encode_token(bytes(raw[:-64]), bytes(raw[-64:]))
    assert not _verify(altered, now=p.issued_at + 60).valid


def test_a_forged_code_with_a_known_kid_has_a_bad_signature() -> None:
    forged = tokens.sign_token(payload(colour="green"), OTHER)
    assert _verify(forged) == tokens.Verified(False, tokens.BAD_SIGNATURE)


def test_a_red_code_repainted_green_has_a_bad_signature() -> None:
    _, data, signature = tokens.decode_token(tokens.sign_token(payload(colour="red"), KEY))
    green = tokens.encode_payload(payload(colour="green"))
    assert len(green) == len(data)
    assert _verify(tokens.encode_token(green, signature)).reason == tokens.BAD_SIGNATURE


def test_a_code_of_an_unknown_key_is_refused() -> None:
    assert _verify(tokens.sign_token(payload(kid="zzzzzz"), KEY)).reason == tokens.UNKNOWN_KEY


def test_expiry_and_issue_time_are_checked_with_a_small_clock_skew() -> None:
    token = tokens.sign_token(payload(minutes=30), KEY)
    skew = tokens.CLOCK_SKEW_SECONDS
    assert _verify(token, now=T0 + dt.timedelta(minutes=30)).reason == tokens.EXPIRED
    assert _verify(token, now=T0 + dt.timedelta(minutes=29, seconds=59)).valid
    assert _verify(token, now=T0 - dt.timedelta(seconds=skew)).valid
    late = _verify(token, now=T0 - dt.timedelta(seconds=skew + 1))
    assert late.reason == tokens.NOT_YET_VALID and late.payload is not None


def test_a_retired_key_does_not_sign_codes_dated_after_its_retirement() -> None:
    retired = tokens.public_keys_from_json(
        key_document(("k1abcd", KEY), retired={"k1abcd": T0 + dt.timedelta(minutes=10)}))
    before = tokens.sign_token(payload(issued=T0 + dt.timedelta(minutes=9)), KEY)
    after = tokens.sign_token(payload(issued=T0 + dt.timedelta(minutes=11)), KEY)
    later = T0 + dt.timedelta(minutes=20)
    assert tokens.verify_token(before, public_keys=retired, now=later).valid
    assert tokens.verify_token(after, public_keys=retired, now=later).reason == "unknown_key"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=600), st.binary().map(lambda b: "FK1" + b.hex()),
                 st.binary().map(lambda b: "FK1" + base64.b32encode(b).decode()),
                 st.none(), st.integers()))
def test_garbage_is_malformed_and_never_raises(text: object) -> None:
    assert _verify(text) == tokens.Verified(False, tokens.MALFORMED)


@given(st.binary(min_size=1, max_size=200))
def test_base32_decoding_is_the_standard_one(raw: bytes) -> None:
    text = base64.b32encode(raw).decode().rstrip("=")
    assert tokens._unbase32("FK1" + text) == raw
    assert tokens.encode_token(raw[:1], raw[1:]) == "FK1" + text


def test_non_canonical_base32_is_refused_but_case_and_spaces_are_not() -> None:
    token = tokens.sign_token(payload(), KEY)
    assert _verify(f"  {token.lower()}\n").valid
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    padded_bits = (len(token) - len(tokens.PREFIX)) * 5 % 8
    assert padded_bits, "this payload length leaves unused bits in the last character"
    twin = token[:-1] + last[last.index(token[-1]) ^ 1]  # flips an unused low bit
    assert _verify(twin).reason == tokens.MALFORMED


def test_a_token_is_compact_and_in_the_qr_alphanumeric_set() -> None:
    token = tokens.sign_token(payload(pseudonym="A" * 16, flags=POPUPS), KEY)
    assert len(token) <= 170
    assert token.startswith("FK1")
    assert set(token[3:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert set(token) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # QR alphanumeric


def test_fields_the_format_cannot_carry_are_refused_when_signing() -> None:
    for bad in (payload(colour="purple"), payload(flags=("bogus",)),
                payload(pseudonym="名字"), payload(minutes=0)):
        with pytest.raises(ValueError):
            tokens.sign_token(bad, KEY)


def test_a_keys_document_with_a_bad_key_names_it() -> None:
    with pytest.raises(ValueError, match="'bad'"):
        tokens.public_keys_from_json({"keys": [{"kid": "bad", "public_key": "AAAA"}]})


# ---------------------------------------------------------------- issuing (database)


def _personal(person: Person) -> list[str]:
    return [person.name, person.id_number or "", person.phone, person.address,
            person.household.address if person.household else ""]


def test_the_token_holds_no_personal_data(city: City) -> None:
    """Decode every field: only the key id, the random pseudonym, colour, flags and times."""
    do_generate_key(now=T0)
    person = city.districts[0].persons[0]
    code = make_code(person, colour="yellow", flags=("test_missing",))
    issued = do_issue_code(person_id=person.pk, now=NOW)
    decoded, data, _ = tokens.decode_token(issued.token)
    fields = decoded.as_dict()
    assert fields == {"version": 1, "kid": decoded.kid, "pseudonym": code.pseudonym,
                      "colour": "yellow", "flags": ["test_missing"],
                      "issued_at": tokens.epoch(NOW),
                      "expires_at": tokens.epoch(NOW) + 30 * 60}
    texts = [str(v) for v in fields.values()]
    for value in _personal(person):
        assert value, "the person has this field"
        assert value.encode("utf-8") not in data
        assert not any(value in text for text in texts)
        assert value[-4:] not in code.pseudonym  # not even the last four digits


def test_issuing_signs_the_stored_status_for_the_versions_lifetime(city: City) -> None:
    key = do_generate_key(now=T0)
    person = city.districts[0].persons[1]
    make_code(person, colour="red", flags=("pool_hold", "risk_link"))
    issued = do_issue_code(person_id=person.pk, now=NOW)
    assert issued.payload.kid == key.kid and issued.payload.colour == "red"
    assert issued.payload.flags == ("risk_link", "pool_hold")
    assert issued.expires_at - issued.issued_at == dt.timedelta(minutes=30)  # 2022 version
    verified = tokens.verify_token(issued.token, public_keys=public_keys(NOW), now=NOW)
    assert verified.valid and verified.payload == issued.payload


def test_a_code_never_outlives_its_status(city: City) -> None:
    do_generate_key(now=T0)
    person = city.districts[0].persons[2]
    make_code(person, colour="yellow", valid_until=NOW + dt.timedelta(minutes=7))
    issued = do_issue_code(person_id=person.pk, now=NOW)
    assert issued.expires_at == NOW + dt.timedelta(minutes=7)


def test_a_stale_or_missing_status_is_recomputed_first(city: City,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    do_generate_key(now=T0)
    person, fresh = city.districts[0].persons[3], city.districts[1].persons[0]
    stale = make_code(person, colour="red", valid_until=NOW - dt.timedelta(minutes=1))
    called: list[int] = []

    def recompute(*, person_id: int, now: dt.datetime) -> object:
        called.append(person_id)
        stale.colour, stale.valid_until = "green", None
        return stale

    module = types.ModuleType("fangkong.healthcode.recompute")
    module.do_recompute_person = recompute  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fangkong.healthcode.recompute", module)
    assert do_issue_code(person_id=person.pk, now=NOW).payload.colour == "green"
    do_issue_code(person_id=fresh.pk, now=NOW)
    assert called == [person.pk, fresh.pk]


def test_issuing_without_a_key_tells_the_operator_to_run_keygen(city: City) -> None:
    person = city.districts[0].persons[0]
    make_code(person)
    with pytest.raises(DomainError, match="fangkong healthcode keygen"):
        do_issue_code(person_id=person.pk, now=NOW)
