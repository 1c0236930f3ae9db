"""The coverage pages through the test client: render in both languages, drill down to a
grid's buildings and households, the untested list with its exempt form (htmx and plain),
the dashboard, the API, and scoping: the second district's officer and a grid worker see only
their own subtree (404 outside it), a user without the right gets 403."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.testing.models import Alert, CampaignArea, Exemption, Sample, Tube
from fangkong.testing.tasks import do_check_alerts
from tests.factories import City
from tests.testing.builders import Round, make_round

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def rnd(city: City) -> Round:
    return make_round(city)


def _client(rnd: Round, name: str) -> Client:
    client = Client()
    client.force_login(rnd.users[name])
    return client


def _url(rnd: Round, page: str, unit: object = None, **extra: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"unit": getattr(unit, "pk", unit), **extra}.items()
                     if v is not None)
    return f"/screening/{rnd.campaign.pk}/{page}/" + (f"?{query}" if query else "")


def _sample(rnd: Round, person: Person, hours: int = 1) -> Sample:
    site = next(s for s in rnd.sites if s.grid_id == person.grid_id)
    sample = Sample(campaign=rnd.campaign, tube=rnd.tubes[site.pk][0], person=person,
                    sampled_at=rnd.campaign.starts_at + hours * H)
    sample.place_in(person.grid)  # type: ignore[arg-type]
    sample.save()
    return sample


def _map(html: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script id="coverage-map-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found
    return json.loads(found.group(1))


def test_coverage_page_both_languages_and_drill_down(rnd: Round) -> None:
    d1 = rnd.city.districts[0]
    _sample(rnd, d1.persons[0])
    c = _client(rnd, "organiser1")
    zh = c.get(_url(rnd, "coverage")).content.decode()
    assert 'lang="zh-hans"' in zh and "第1区" in zh and "第2区" not in zh
    assert 'id="headline"' in zh and 'data-percent="16.6"' in zh  # 1 of 6, rounded down
    en = c.get(_url(rnd, "coverage"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "accounted for: 16.6 %" in en and "(tested 1 + exempt 0 of 6)" in en
    assert "District 1" in en
    grid = c.get(_url(rnd, "coverage", d1.grids[0]), HTTP_ACCEPT_LANGUAGE="en")
    html = grid.content.decode()
    assert "By building" in html and "By household" in html and d1.households[0].address in html
    features = _map(html)["features"]
    assert [f["geometry"]["type"] for f in features] == ["Point"]
    assert features[0]["properties"]["tested"] == 1 and features[0]["properties"]["band"] == "low"
    community = c.get(_url(rnd, "coverage", d1.grids[0].parent)).content.decode()
    props = [f["properties"] for f in _map(community)["features"]]
    assert sorted(p["registered"] for p in props) == [3, 3]
    assert all(f"unit={g.pk}" in community for g in d1.grids)


def test_second_district_and_grid_worker_see_only_their_subtree(rnd: Round) -> None:
    d1, d2 = rnd.city.districts
    other = _client(rnd, "organiser2")
    for page in ("coverage", "untested", "dashboard"):
        assert other.get(_url(rnd, page, d1.unit)).status_code == 404
        assert other.get(_url(rnd, page, d1.grids[0])).status_code == 404
    html = other.get(_url(rnd, "untested")).content.decode()
    assert all(p.name in html for p in d2.persons)
    assert not any(p.name in html for p in d1.persons)
    gridder = _client(rnd, "grid1")
    assert gridder.get(_url(rnd, "coverage", d1.unit)).status_code == 404
    assert gridder.get(_url(rnd, "coverage", d1.grids[1])).status_code == 404
    html = gridder.get(_url(rnd, "untested")).content.decode()
    assert d1.persons[0].name in html and d1.persons[3].name not in html
    # a round over district 1 only is not the second district's at all
    CampaignArea.objects.filter(campaign=rnd.campaign, unit=d2.unit).delete()
    assert other.get(_url(rnd, "coverage")).status_code == 404


def test_rights_and_login(rnd: Round) -> None:
    assert Client().get(_url(rnd, "coverage")).status_code == 302
    sampler = _client(rnd, "sampler1")
    assert sampler.get(_url(rnd, "coverage")).status_code == 403
    assert sampler.get(_url(rnd, "dashboard")).status_code == 403
    person = rnd.city.districts[0].persons[0]
    gridder = _client(rnd, "grid1")  # views but does not manage
    response = gridder.post(f"/screening/{rnd.campaign.pk}/untested/{person.pk}/exempt/",
                            {"reason": "away"})
    assert response.status_code == 403 and not Exemption.objects.exists()
    html = gridder.get(_url(rnd, "untested")).content.decode()
    assert "exempt-form" not in html


def test_phones_masked_unless_pii_view_and_the_full_read_is_audited(rnd: Round) -> None:
    person = rnd.city.districts[0].persons[0]
    officer = _client(rnd, "organiser1").get(_url(rnd, "untested")).content.decode()
    assert person.phone not in officer and f"{person.phone[:3]}****{person.phone[-4:]}" in officer
    assert not AuditLog.objects.filter(verb="pii.read").exists()
    gridder = _client(rnd, "grid1").get(_url(rnd, "untested")).content.decode()
    assert person.phone in gridder
    log = AuditLog.objects.get(verb="pii.read")
    assert person.pk in log.after["persons"] and log.actor_name == "grid1"


def test_exempt_row_by_htmx_then_undo(rnd: Round) -> None:
    person = rnd.city.districts[0].persons[1]
    c = _client(rnd, "organiser1")
    url = f"/screening/{rnd.campaign.pk}/untested/{person.pk}/exempt/"
    bad = c.post(url, {"reason": "other"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    assert not Exemption.objects.exists()
    row = c.post(url, {"reason": "hospital", "note": "第四医院"}, HTTP_HX_REQUEST="true",
                 HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert row.startswith(f'<tr id="person-{person.pk}"') and "in hospital" in row
    exemption = Exemption.objects.get(person=person)
    assert "第四医院" in row and f"/exemptions/{exemption.pk}/remove/" in row
    listed = c.get(_url(rnd, "untested")).content.decode()
    assert f'id="person-{person.pk}"' not in listed
    undo = c.post(f"/screening/{rnd.campaign.pk}/exemptions/{exemption.pk}/remove/",
                  HTTP_HX_REQUEST="true").content.decode()
    assert "exempt-form" in undo and not Exemption.objects.exists()
    other = _client(rnd, "organiser2").post(url, {"reason": "away"})
    assert other.status_code == 404


def test_exempt_without_javascript_redirects_back(rnd: Round) -> None:
    person = rnd.city.districts[0].persons[2]
    c = _client(rnd, "organiser1")
    back = _url(rnd, "untested", rnd.city.districts[0].grids[0])
    response = c.post(f"/screening/{rnd.campaign.pk}/untested/{person.pk}/exempt/",
                      {"reason": "away", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Exemption.objects.get(person=person).reason == "away"
    again = c.post(f"/screening/{rnd.campaign.pk}/untested/{person.pk}/exempt/",
                   {"reason": "away", "next": "https://evil.example/"})
    assert again["Location"] == f"/screening/{rnd.campaign.pk}/untested/"


def test_dashboard_shows_progress_turnaround_alerts(rnd: Round) -> None:
    d1 = rnd.city.districts[0]
    for n, person in enumerate(d1.persons[:4]):
        _sample(rnd, person, hours=1 + n // 2)
    tube = rnd.tubes[rnd.sites[0].pk][0]
    Tube.objects.filter(pk=tube.pk).update(status="sealed", sealed_at=rnd.campaign.starts_at + H)
    do_check_alerts(now=rnd.campaign.starts_at + 6 * H)
    assert Alert.objects.count() == 1
    c = _client(rnd, "organiser1")
    html = c.get(_url(rnd, "dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    data = json.loads(re.search(r'<script id="progress-data" type="application/json">(.*?)'
                                r"</script>", html, re.S).group(1))  # type: ignore[union-attr]
    assert data["samples"] == [2, 2] and data["percent"] == [33.3, 66.6]
    assert tube.code in html and "sealed tube not received by a lab in time" in html
    assert 'id="progress-chart"' in html
    other = _client(rnd, "organiser2").get(_url(rnd, "dashboard")).content.decode()
    assert tube.code not in other
    assert 'id="progress-chart"' not in other  # district 2 has no samples


def test_api_coverage_untested_and_exemptions(rnd: Round) -> None:
    d1, d2 = rnd.city.districts
    _sample(rnd, d1.persons[0])
    c = _client(rnd, "organiser1")
    base = f"/api/v1/screening/campaigns/{rnd.campaign.pk}"
    body = c.get(f"{base}/coverage").json()
    assert body["totals"] == {"registered": 6, "tested": 1, "exempt": 0, "untested": 5,
                              "percent": 16.6}
    grid = c.get(f"{base}/coverage/grids/{d1.grids[0].pk}/households").json()
    assert [r["counts"]["tested"] for r in grid] == [1]
    page = c.get(f"{base}/untested?limit=2").json()
    assert len(page["items"]) == 2 and page["next_after"] == page["items"][-1]["id"]
    assert "****" in page["items"][0]["phone"]
    made = c.post(f"{base}/exemptions", {"person_id": d1.persons[1].pk, "reason": "away"},
                  content_type="application/json")
    assert made.status_code == 201
    refused = c.post(f"{base}/exemptions", {"person_id": d1.persons[0].pk, "reason": "away"},
                     content_type="application/json")
    assert refused.status_code == 409  # already sampled
    assert c.get(f"{base}/coverage").json()["totals"]["exempt"] == 1
    other = _client(rnd, "organiser2")
    assert other.get(f"{base}/coverage?unit={d1.unit.pk}").status_code == 404
    assert other.get(f"{base}/coverage").json()["totals"]["registered"] == len(d2.persons)
    assert other.delete(f"{base}/exemptions/{made.json()['id']}").status_code == 404
    assert c.delete(f"{base}/exemptions/{made.json()['id']}").status_code == 204
    sampler = _client(rnd, "sampler1")
    assert sampler.get(f"{base}/coverage").status_code == 403
