"""Requesting a correction from the person page: it waits for a second person."""

from __future__ import annotations

import pytest
from django.test import Client

from fangkong.core.models import Approval, ApprovalStatus
from tests.factories import PASSWORD, City, make_user, small_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city() -> City:
    return small_city()


def _login(city: City, name: str, roles: list[str], district: int = 0) -> Client:
    make_user(name, unit=city.districts[district].unit, roles=roles)
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def _post(client: Client, person_id: int, **form: str):  # type: ignore[no-untyped-def]
    data = {"field": "phone", "value": "13911112222", "reason": "hotline call", **form}
    return client.post(f"/persons/{person_id}/correct", data)


def test_request_waits_for_approval(city: City) -> None:
    person = city.districts[0].persons[0]
    worker = _login(city, "street1", ["street_worker"])
    assert f"/persons/{person.pk}/correct".encode() in worker.get(f"/persons/{person.pk}/").content
    response = _post(worker, person.pk)
    assert response.status_code == 302 and response["Location"] == f"/persons/{person.pk}/"
    assert b"msg success" in worker.get(response["Location"]).content
    approval = Approval.objects.get()
    assert approval.status == ApprovalStatus.PENDING and approval.payload == {
        "phone": "13911112222"}
    person.refresh_from_db()
    assert person.phone != "13911112222"


def test_bad_value_is_shown_and_nothing_requested(city: City) -> None:
    person = city.districts[0].persons[0]
    worker = _login(city, "street1", ["street_worker"])
    response = _post(worker, person.pk, value="123")
    assert response.status_code == 422 and b'role="alert"' in response.content
    assert not Approval.objects.exists()


def test_viewer_and_other_district_cannot_request(city: City) -> None:
    person = city.districts[0].persons[0]
    viewer = _login(city, "viewer1", ["viewer"])
    assert _post(viewer, person.pk).status_code == 403
    page = viewer.get(f"/persons/{person.pk}/").content
    assert f"/persons/{person.pk}/correct".encode() not in page
    foreign = _login(city, "street2", ["street_worker"], district=1)
    assert _post(foreign, person.pk).status_code == 404
    assert not Approval.objects.exists()
