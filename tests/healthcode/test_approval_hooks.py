"""A manual change reaches the approver with its misuse warnings, and only through its own
entry point (the generic approval request would skip the request-time checks)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from fangkong.healthcode import changes
from tests.factories import City
from tests.healthcode.builders_changes import actor, change_users


def test_the_approvals_page_shows_the_unlinked_warning(city: City) -> None:
    users = change_users(city)
    person = city.districts[0].persons[0]
    changes.do_request_change(actor=actor(users["officer1"]), person_id=person.pk,
                              colour="red", reason="told to", days=3)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username="officer1b"))
    page = client.get("/approvals/").content.decode()
    assert 'class="field-error"' in page and "⚠" in page


def test_the_generic_request_endpoint_refuses_a_code_change(city: City) -> None:
    users = change_users(city)
    client = Client()
    client.force_login(users["officer1"])
    response = client.post(
        "/api/v1/core/approvals", content_type="application/json",
        data={"kind": changes.KIND, "target_id": str(city.districts[0].persons[0].pk),
              "payload": {"colour": "red", "days": 3}, "reason": "told to"})
    assert response.status_code == 422
    assert response.json()["field"] == "kind"
