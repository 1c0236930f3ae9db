"""Pure registry rules, checked against an independent implementation and by property."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from fangkong.registry.logic import classify_search, id_check_char, id_number_problem, phone_problem
from fangkong.synth.idcard import check_char


def _reference_check(body: str) -> str:
    # GB 11643: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 → X
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_char_matches_reference_and_generator(body: str) -> None:
    assert id_check_char(body) == _reference_check(body) == check_char(body)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
       st.integers(0, 999))
def test_valid_ids_accepted_and_any_single_digit_change_rejected(day: dt.date, seq: int) -> None:
    body = f"610102{day:%Y%m%d}{seq:03d}"
    good = body + id_check_char(body)
    assert id_number_problem(good) is None
    wrong = body[:-1] + str((int(body[-1]) + 1) % 10)
    assert id_number_problem(wrong + good[-1]) is not None


def test_id_problems_name_the_reason() -> None:
    assert "17 digits" in (id_number_problem("123") or "")
    assert "birth date" in (id_number_problem("610102199002300010") or "")


def test_phone() -> None:
    assert phone_problem("13812345678") is None
    assert phone_problem("12812345678") and phone_problem("1381234567")


def test_classify_search() -> None:
    assert classify_search(" 13812345678 ") == ("phone", "13812345678")
    assert classify_search("61010219900101001x") == ("id_number", "61010219900101001X")
    assert classify_search("610***********123x") == ("masked_id", "610:123X")
    assert classify_search("138****5678") == ("masked_phone", "138:5678")
    assert classify_search("*5678") == ("last4", "5678")
    assert classify_search("张") == ("name", "张")
