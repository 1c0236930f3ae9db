"""A resident's own report through their signed link: each kind, resends, bad fields named,
a bad link, the follow-up, a contact report becoming a tracing lead (once, whatever the
resends) that the follow-up names, and staff scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core import clock
from fangkong.core.models import AuditLog
from fangkong.healthcode.resident import resident_token
from fangkong.tracing.models import ContactReport
from fangkong.warning.models import FollowUp, SelfReport
from fangkong.warning.selfreport import TRACERS_MARK
from tests.factories import City
from tests.warning.builders_arrivals import actor, origin

pytestmark = pytest.mark.django_db


def _post(client: Client, token: str, **data: object) -> object:
    return client.post(f"/c/{token}/report/?lang=en", data)


def test_a_travel_report_from_a_listed_origin(city: City, client: Client) -> None:
    person = city.districts[0].persons[0]
    token = resident_token(person)
    today = clock.city_today()
    origin(code="SH", name="上海", since=today - dt.timedelta(days=5))
    page = client.get(f"/c/{token}/report/?lang=en")
    assert page.status_code == 200 and b"Report to your community" in page.content
    answer = _post(client, token, kind="travel", origin="上海", arrived_on=today.isoformat(),
                   client_key="k1")
    assert answer.status_code == 302  # type: ignore[attr-defined]
    report = SelfReport.objects.get()
    assert report.grid_id == person.grid_id and report.details["origin"] == "上海"
    follow = FollowUp.objects.get(kind="self_report", source_id=report.pk)
    assert "listed risk origin" in follow.summary and follow.grid_id == person.grid_id
    assert AuditLog.objects.filter(verb="warning.self_report",
                                   actor_name=f"resident-link:{person.pk}").exists()
    _post(client, token, kind="travel", origin="上海", arrived_on=today.isoformat(),
          client_key="k1")
    assert SelfReport.objects.count() == 1 and FollowUp.objects.count() == 1


def test_symptoms_and_contact(city: City, client: Client) -> None:
    person = city.districts[0].persons[1]
    token, today = resident_token(person), clock.city_today().isoformat()
    _post(client, token, kind="symptoms", symptoms=["fever", "cough"], since=today,
          client_key="a")
    _post(client, token, kind="contact", contact_on=today, place="幸福超市", client_key="b")
    kinds = dict(SelfReport.objects.values_list("kind", "details"))
    assert kinds["symptoms"]["symptoms"] == ["cough", "fever"]
    report = SelfReport.objects.get(kind="contact")
    lead = ContactReport.objects.get()
    assert lead.source_ref == f"warning.selfreport:{report.pk}" and lead.source == "self_report"
    assert (lead.person_id, lead.grid_id, lead.status) == (person.pk, person.grid_id, "new")
    assert lead.place == "幸福超市" and lead.exposure_on.isoformat() == today
    contact = FollowUp.objects.get(source_id=report.pk)
    assert contact.summary.startswith(f"{TRACERS_MARK}{lead.pk}]") and "幸福超市" in contact.summary
    assert AuditLog.objects.filter(verb="tracing.contact_report.add",
                                   actor_name=f"resident-link:{person.pk}").exists()
    _post(client, token, kind="contact", contact_on=today, place="幸福超市", client_key="b")
    assert ContactReport.objects.count() == 1 and FollowUp.objects.count() == 2


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "travel", "arrived_on": "2000-01-01", "origin": "x"}, "arrived_on"),
    ({"kind": "travel", "origin": ""}, "origin"),
    ({"kind": "symptoms", "since": "2099-01-01", "symptoms": ["fever"]}, "since"),
    ({"kind": "symptoms"}, "symptoms"),
    ({"kind": "contact", "place": ""}, "contact_on"),
])
def test_bad_reports_name_the_field(city: City, client: Client, data: dict[str, object],
                                    field: str) -> None:
    token = resident_token(city.districts[0].persons[0])
    answer = _post(client, token, client_key="z", **data)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert f'id="id_{field}"' in answer.content.decode()  # type: ignore[attr-defined]
    assert answer.context["form"].errors.get(field)  # type: ignore[attr-defined]
    assert not SelfReport.objects.exists()


def test_a_bad_link_is_not_found(city: City, client: Client) -> None:
    token = resident_token(city.districts[0].persons[0])
    assert client.get(f"/c/{token}x/report/").status_code == 404
    assert _post(client, token + "x", kind="travel").status_code == 404  # type: ignore[attr-defined]


def test_staff_see_their_own_district_only(city: City, client: Client) -> None:
    person = city.districts[0].persons[0]
    _post(client, resident_token(person), kind="symptoms", symptoms=["fever"],
          since=clock.city_today().isoformat(), client_key="s")
    actor(city, who="officer1", unit=0)
    actor(city, who="officer2", unit=1)
    client.force_login(User.objects.get(username="officer1"))
    assert len(client.get("/api/v1/warning/self-reports").json()) == 1
    client.force_login(User.objects.get(username="officer2"))
    assert client.get("/api/v1/warning/self-reports").json() == []
