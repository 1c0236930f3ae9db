"""Masking keeps only what a caller needs to recognise a number; full reads are audited."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.core.errors import PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AuditLog
from fangkong.core.privacy import mask_id_number, mask_phone, reveal
from fangkong.core.rights import Right
from tests.factories import small_city


def test_examples() -> None:
    assert mask_id_number("110101199001011234") == "110***********1234"
    assert mask_phone("13812345678") == "138****5678"


@given(st.text(alphabet="0123456789X", min_size=8, max_size=18))
def test_mask_keeps_length_prefix_and_tail_only(value: str) -> None:
    for masked in (mask_id_number(value), mask_phone(value)):
        assert len(masked) == len(value)
        assert masked[:3] == value[:3] and masked[-4:] == value[-4:]
        assert set(masked[3:-4]) == {"*"}


@given(st.text(alphabet="0123456789", max_size=7))
def test_short_values_fully_hidden(value: str) -> None:
    assert set(mask_phone(value)) <= {"*"}


@pytest.mark.django_db
def test_reveal_needs_right_and_writes_nothing_when_refused() -> None:
    person = small_city().districts[0].persons[0]
    viewer = Actor(user_id=None, username="v", unit=person.district,
                   rights=frozenset({Right.REGISTRY_VIEW}))
    with pytest.raises(PermissionDenied):
        reveal(actor=viewer, target=person, fields={"phone": person.phone})
    assert not AuditLog.objects.filter(verb="pii.read").exists()


@pytest.mark.django_db
def test_reveal_is_audited_with_place() -> None:
    person = small_city().districts[0].persons[0]
    worker = Actor(user_id=None, username="w", unit=person.grid,
                   rights=frozenset({Right.PII_VIEW}))
    assert reveal(actor=worker, target=person, fields={"phone": person.phone}) == {
        "phone": person.phone}
    row = AuditLog.objects.get(verb="pii.read")
    assert row.target_id == str(person.pk) and row.district_id == person.district_id
    assert row.after == {"fields": ["phone"]}
