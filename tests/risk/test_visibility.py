"""Who works for an area: its district and street above it, and the grids inside it."""

import pytest

from fangkong.core.errors import NotFound
from fangkong.core.jurisdiction import actor_for
from fangkong.risk.passes import gates_for
from fangkong.risk.queries import area_for, areas_for
from tests.factories import City
from tests.risk.builders import make_area, make_gate, risk_users


def test_a_grid_inside_a_community_area_sees_it_and_its_gates(city: City) -> None:
    d1, _ = city.districts
    community = d1.grids[0].parent
    assert community is not None
    area = make_area(unit=community, code="RA-C")
    gate = make_gate(area)
    users = risk_users(city)
    grid_worker, gate_keeper = actor_for(users["grid1"]), actor_for(users["gate1"])
    assert area_for(grid_worker, area.pk) == area
    assert list(areas_for(grid_worker)) == [area]
    assert list(gates_for(gate_keeper)) == [gate]


def test_another_district_still_sees_nothing(city: City) -> None:
    d1, _ = city.districts
    community = d1.grids[0].parent
    assert community is not None
    area = make_area(unit=community, code="RA-C")
    make_gate(area)
    officer2 = actor_for(risk_users(city)["officer2"])
    with pytest.raises(NotFound):
        area_for(officer2, area.pk)
    assert not areas_for(officer2).exists()


def test_a_grid_area_is_not_visible_from_the_next_grid(city: City) -> None:
    d1, _ = city.districts
    area = make_area(unit=d1.grids[1], code="RA-G2")
    grid_worker = actor_for(risk_users(city)["grid1"])  # works in grid 1
    with pytest.raises(NotFound):
        area_for(grid_worker, area.pk)
