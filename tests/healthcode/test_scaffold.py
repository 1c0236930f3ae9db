"""The seeded health-code versions parse, and a broken one is refused with its reason."""

import pytest

from fangkong.core.errors import DomainError
from fangkong.healthcode.models import CodePolicy
from fangkong.healthcode.policy import rules_of
from tests.factories import City


def test_every_seeded_version_parses(city: City) -> None:
    versions = list(CodePolicy.objects.order_by("effective_from"))
    assert [rules_of(v).pharmacy is None for v in versions] == [False, True]


def test_an_unknown_colour_is_refused(city: City) -> None:
    version = CodePolicy.objects.first()
    assert version is not None
    version.params = {**version.params, "case": "purple"}
    with pytest.raises(DomainError, match="purple"):
        rules_of(version)
