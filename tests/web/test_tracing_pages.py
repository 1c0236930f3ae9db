"""Tracing pages: each renders for a tracer, a second district's officer sees none of the
first's cases, contacts or risk points (404 by URL, absent from lists), forms name the field
that is wrong, the public risk-point notice shows published points only and never a person,
and list pages use a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.registry.models import Person
from fangkong.tracing.actions_cases import do_add_entry, do_register_case
from fangkong.tracing.models import Case, Contact, RiskPoint, TrajectoryEntry
from tests.factories import City, make_user

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2022, 5, 3)


def at(hour: int, minute: int = 0, *, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def actor_named(username: str) -> Actor:
    return actor_for(User.objects.get(username=username))


def register(username: str, person: Person, **kw: Any) -> Case:
    values: dict[str, Any] = {"classification": "confirmed", "sample_date": DAY,
                              "result_at": at(8), "onset_date": DAY - dt.timedelta(days=1)}
    return do_register_case(actor=actor_named(username), person_id=person.pk, **(values | kw))


def contact_of(case: Case, person: Person, **kw: Any) -> Contact:
    """A contact row as detection stores it (placed at the person's residence)."""
    row = Contact(person=person, index_case=case, contact_type=kw.pop("contact_type", "close"),
                  rule=kw.pop("rule", "household"), first_exposure=at(7), last_exposure=at(8),
                  identified_at=kw.pop("identified_at", at(10)), **kw)
    row.place_in(person.grid)
    row.save()
    return row


def write_movement(root: Path, checkins: list[tuple[int, int, dt.datetime, dt.datetime]]
                   ) -> Path:
    """Check-ins as local-day Parquet files in the synth layout, no pings, no households."""
    ts = pa.timestamp("s", tz="UTC")
    by_day: dict[dt.date, list[Any]] = defaultdict(list)
    for row in checkins:
        by_day[row[2].astimezone(TZ).date()].append(row)
    (root / "checkins").mkdir(parents=True)
    (root / "pings").mkdir()
    for day, rows in by_day.items():
        pq.write_table(pa.table({
            "person_id": pa.array([r[0] for r in rows], pa.int64()),
            "venue_id": pa.array([r[1] for r in rows], pa.int64()),
            "ts": pa.array([r[2] for r in rows], ts), "exit_ts": pa.array([r[3] for r in rows], ts),
            "source": pa.array(["doorbell_code"] * len(rows)),
        }), root / "checkins" / f"day={day.isoformat()}.parquet")
    pq.write_table(pa.table({"person_id": pa.array([], pa.int64()),
                             "household_id": pa.array([], pa.int64())}),
                   root / "households.parquet")
    return root


@pytest.fixture
def tracer(city: City) -> Client:
    make_user("tracer1", unit=city.districts[0].unit, roles=["tracer"])
    make_user("tracer1b", unit=city.districts[0].unit, roles=["tracer"])
    return login("tracer1")


@pytest.fixture
def case(city: City, tracer: Client) -> Case:
    return register("tracer1", city.districts[0].persons[0])


@pytest.fixture
def contact(city: City, case: Case) -> Contact:
    return contact_of(case, city.districts[0].persons[1])


def _point(case: Case, status: str = "draft", **kw: Any) -> RiskPoint:
    venue = kw.pop("venue", None)
    point = RiskPoint(case=case, venue=venue, place=kw.pop("place", "幸福路菜市场"),
                      start=kw.pop("start", dt.datetime.now(dt.UTC) - dt.timedelta(days=2)),
                      end=kw.pop("end", dt.datetime.now(dt.UTC) - dt.timedelta(days=2, hours=-1)),
                      status=status, created_by=User.objects.get(username="tracer1"),
                      created_at=dt.datetime.now(dt.UTC), **kw)
    point.place_in(case.grid)
    point.save()
    return point


# ---------------------------------------------------------------- every page renders


def test_pages_render_for_a_tracer(tracer: Client, case: Case, contact: Contact) -> None:
    for url in ["/tracing/cases/", f"/tracing/cases/{case.pk}/", "/tracing/contacts/",
                "/tracing/risk-points/"]:
        response = tracer.get(url)
        assert response.status_code == 200, url
        assert "//cdn" not in response.content.decode()
    page = tracer.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert case.person.name in page and contact.person.name in page
    assert "运行密接判定" in page  # zh-Hans by default


def test_nav_has_the_tracing_entries(tracer: Client) -> None:
    page = tracer.get("/tracing/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for href in ["/tracing/cases/", "/tracing/contacts/", "/tracing/risk-points/",
                 "/tracing/funnel/", "/tracing/chains/"]:
        assert f'href="{href}"' in page
    assert 'aria-current="page"' in page.split('href="/tracing/cases/"')[1][:40]


def test_anonymous_is_sent_to_login(case: Case, client: Client) -> None:
    for url in ["/tracing/cases/", f"/tracing/cases/{case.pk}/", "/tracing/contacts/"]:
        assert client.get(url)["Location"].startswith("/login/?next=")


def test_viewer_without_tracing_right_is_403(city: City, case: Case) -> None:
    make_user("viewer", unit=city.unit, roles=["viewer"])
    viewer = login("viewer")
    assert viewer.get("/tracing/cases/").status_code == 403
    assert 'href="/tracing/cases/"' not in viewer.get("/").content.decode()


def test_commander_sees_but_cannot_act(city: City, case: Case, contact: Contact) -> None:
    make_user("boss", unit=city.unit, roles=["commander"])
    boss = login("boss")
    page = boss.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert case.person.name in page and "/detect" not in page
    assert "/advance" not in boss.get("/tracing/contacts/").content.decode()
    assert boss.post(f"/tracing/cases/{case.pk}/detect").status_code == 403
    assert boss.post(f"/tracing/contacts/{contact.pk}/advance",
                     {"to_status": "notified"}).status_code == 403


# ---------------------------------------------------------------- a second district


def test_second_district_gets_404_and_empty_lists(
        officer2: Client, case: Case, contact: Contact) -> None:
    point = _point(case, "published")
    for url in [f"/tracing/cases/{case.pk}/"]:
        assert officer2.get(url).status_code == 404
    for url in [f"/tracing/cases/{case.pk}/detect", f"/tracing/cases/{case.pk}/reclassify",
                f"/tracing/cases/{case.pk}/risk-points",
                f"/tracing/contacts/{contact.pk}/advance", f"/tracing/contacts/{contact.pk}/assign",
                f"/tracing/risk-points/{point.pk}/withdraw"]:
        response = officer2.post(url, {"to_status": "notified", "classification": "confirmed"})
        assert response.status_code in (302, 404), url
        if response.status_code == 302:  # refused with a message, nothing changed
            assert "/tracing/risk-points/" in response["Location"]
    for url in ["/tracing/cases/", "/tracing/contacts/", "/tracing/risk-points/?status=all",
                f"/tracing/cases/?q={case.person.name}", f"/tracing/cases/?q={case.pk}"]:
        page = officer2.get(url).content.decode().split("<tbody>")[1]
        assert case.person.name not in page and contact.person.name not in page, url
        assert f"/tracing/cases/{case.pk}/" not in page
    contact.refresh_from_db()
    point.refresh_from_db()
    assert contact.status == "identified" and point.status == "published"


def test_second_district_cannot_pick_first_district_people(officer2: Client,
                                                           city: City) -> None:
    foreign = city.districts[0].persons[0]
    page = officer2.get("/tracing/pick/persons", {"person_q": foreign.name}).content.decode()
    assert foreign.name not in page
    # Venues are public places: a case may have gone anywhere in the city, so an
    # investigator picks among all of them (docs/tracing.md, Workflow).
    venue = city.districts[0].venues[0]
    assert venue.name in officer2.get("/tracing/pick/venues",
                                      {"venue_q": venue.name}).content.decode()


def test_venue_search_city_wide_still_denies_a_user_without_a_node(city: City) -> None:
    from fangkong.core.jurisdiction import Actor
    from fangkong.registry.queries import search_venues

    venue = city.districts[0].venues[0]
    nobody = Actor(user_id=1, username="x", unit=None)
    assert search_venues(actor=nobody, term=venue.name, city_wide=True).items == []


# ---------------------------------------------------------------- cases list and register


def test_register_case_by_person_search(tracer: Client, city: City) -> None:
    person = city.districts[0].persons[2]
    chooser = tracer.get("/tracing/pick/persons", {"person_q": person.name}).content.decode()
    assert f'value="{person.pk}"' in chooser
    response = tracer.post("/tracing/cases/register", {
        "person": person.pk, "classification": "asymptomatic", "sample_date": "2022-05-03",
        "result_at": "2022-05-03T20:15", "found_in": "quarantine"})
    assert response.status_code == 302
    created = Case.objects.get(person=person)
    assert response["Location"] == f"/tracing/cases/{created.pk}/"
    assert created.found_in == "quarantine" and created.classification == "asymptomatic"
    assert created.result_at == at(20, 15)
    listing = tracer.get("/tracing/cases/", {"classification": "asymptomatic"}).content.decode()
    assert f"/tracing/cases/{created.pk}/" in listing


def test_register_without_javascript_searches_then_keeps_the_form(tracer: Client,
                                                                  city: City) -> None:
    person = city.districts[0].persons[2]
    response = tracer.post("/tracing/cases/register", {
        "find": "person", "person_q": person.name, "sample_date": "2022-05-03"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{person.pk}"' in page and 'value="2022-05-03"' in page
    assert not Case.objects.exists()


def test_register_reports_bad_input_by_field(tracer: Client, city: City, case: Case) -> None:
    response = tracer.post("/tracing/cases/register", {
        "classification": "confirmed", "sample_date": "not a date", "found_in": "community"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "通过检索人口库选择此人" in page or "Choose the person" in page
    assert page.count('class="field-error"') >= 3  # person, sample date, result time
    again = tracer.post("/tracing/cases/register", {
        "person": case.person_id, "classification": "confirmed", "sample_date": "2022-05-03",
        "result_at": "2022-05-03T20:00", "onset_date": "2022-05-02", "found_in": "community"})
    assert again.status_code == 422
    assert "already a case" in again.content.decode() or "已是病例" in again.content.decode()
    assert Case.objects.count() == 1


def test_cases_search_and_key_pagination(tracer: Client, city: City,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from fangkong.tracing import views

    people = city.districts[0].persons
    cases = [register("tracer1", p) for p in people]
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = tracer.get("/tracing/cases/").content.decode()
    assert 'rel="next"' in first and f"/tracing/cases/{cases[-1].pk}/" in first  # newest first
    after = first.split("after=")[1].split('"')[0]
    second = tracer.get(f"/tracing/cases/?after={after}").content.decode()
    assert f"/tracing/cases/{cases[0].pk}/" not in first
    assert f"/tracing/cases/{cases[-1].pk}/" not in second
    assert f"/tracing/cases/{cases[-3].pk}/" in second
    found = tracer.get("/tracing/cases/", {"q": people[1].name}).content.decode()
    assert f"/tracing/cases/{cases[1].pk}/" in found
    assert f"/tracing/cases/{cases[2].pk}/" not in found
    by_number = tracer.get("/tracing/cases/", {"q": f"#{cases[2].pk}"}).content.decode()
    assert f"/tracing/cases/{cases[2].pk}/" in by_number


# ---------------------------------------------------------------- the case page


def test_case_actions_reclassify_isolate_transfer_link(tracer: Client, city: City) -> None:
    source = register("tracer1", city.districts[0].persons[1])
    case = register("tracer1", city.districts[0].persons[0], classification="asymptomatic",
                    onset_date=None)
    url = f"/tracing/cases/{case.pk}"
    assert tracer.post(f"{url}/reclassify", {"classification": "confirmed",
                                             "onset_date": "2022-05-02"}).status_code == 302
    assert tracer.post(f"{url}/update", {
        "isolated_at": "2022-05-03T21:00", "hospital": "市第八医院",
        "transfer_requested_at": "2022-05-03T21:30",
        "hospital_admitted_at": "2022-05-04T01:00"}).status_code == 302
    assert tracer.post(f"{url}/source", {"source_case": f"#{source.pk}",
                                         "note": "同户"}).status_code == 302
    case.refresh_from_db()
    assert case.classification == "confirmed" and case.converted_at is not None
    assert case.isolated_at == at(21) and case.hospital == "市第八医院"
    assert case.hospital_admitted_at == at(1, day=DAY + dt.timedelta(days=1))
    assert case.source_case_id == source.pk
    page = tracer.get(f"{url}/").content.decode()
    assert f'href="/tracing/cases/{source.pk}/"' in page and "市第八医院" in page


def test_case_forms_report_bad_input(tracer: Client, case: Case, city: City) -> None:
    url = f"/tracing/cases/{case.pk}"
    cycle = tracer.post(f"{url}/source", {"source_case": str(case.pk)})
    assert cycle.status_code == 422 and 'class="error"' in cycle.content.decode()
    make_user("tracer2", unit=city.districts[1].unit, roles=["tracer"])
    foreign = register("tracer2", city.districts[1].persons[0])
    hidden = tracer.post(f"{url}/source", {"source_case": str(foreign.pk)})
    assert hidden.status_code == 422 and "field-error" in hidden.content.decode()
    words = tracer.post(f"{url}/source", {"source_case": "twelve"})
    assert words.status_code == 422 and "field-error" in words.content.decode()
    entry = tracer.post(f"{url}/entries", {"start": "2022-05-02T09:00"})
    assert entry.status_code == 422
    assert 'class="field-error"' in entry.content.decode()
    assert not TrajectoryEntry.objects.exists()
    bad_time = tracer.post(f"{url}/update", {"isolated_at": "yesterday"})
    assert bad_time.status_code == 422 and "field-error" in bad_time.content.decode()


def test_interview_entries_with_venue_chooser_and_timeline(tracer: Client, case: Case,
                                                          city: City) -> None:
    venue = city.districts[0].venues[0]
    chooser = tracer.get("/tracing/pick/venues", {"venue_q": venue.name}).content.decode()
    assert f'value="{venue.pk}"' in chooser
    url = f"/tracing/cases/{case.pk}"
    response = tracer.post(f"{url}/entries", {
        "start": "2022-05-02T09:00", "end": "2022-05-02T10:30", "venue": venue.pk,
        "transport": "步行", "companions": "王芳", "note": "买菜"})
    assert response.status_code == 302
    tracer.post(f"{url}/entries", {"start": "2022-05-02T12:00", "place": "朋友家"})
    page = tracer.get(f"{url}/").content.decode()
    assert "tl-item kind-interview" in page and venue.name in page and "朋友家" in page
    assert "步行" in page and "王芳" in page
    entry = TrajectoryEntry.objects.get(place="朋友家")
    assert tracer.post(f"{url}/entries/{entry.pk}/delete").status_code == 302
    assert not TrajectoryEntry.objects.filter(pk=entry.pk).exists()


def test_venue_search_without_javascript(tracer: Client, case: Case, city: City) -> None:
    venue = city.districts[0].venues[0]
    page = tracer.post(f"/tracing/cases/{case.pk}/entries", {
        "find": "venue", "venue_q": venue.name, "start": "2022-05-02T09:00"}).content.decode()
    assert f'value="{venue.pk}"' in page and 'value="2022-05-02T09:00"' in page
    assert not TrajectoryEntry.objects.exists()


def test_detection_shows_counts_and_the_contacts_table(
        tracer: Client, city: City, case: Case, tmp_path: Path, settings: Any) -> None:
    venue = city.districts[0].venues[0]
    other = city.districts[0].persons[2]
    settings.MOVEMENT_DIR = write_movement(tmp_path / "movement", [
        (case.person_id, venue.pk, at(9, day=DAY - dt.timedelta(days=1)),
         at(10, day=DAY - dt.timedelta(days=1))),
        (other.pk, venue.pk, at(9, 20, day=DAY - dt.timedelta(days=1)),
         at(10, 30, day=DAY - dt.timedelta(days=1))),
    ])
    response = tracer.post(f"/tracing/cases/{case.pk}/detect")
    assert response.status_code == 302 and response["Location"].endswith("#detection")
    page = tracer.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert 'id="detection"' in page and "chip type-close" in page
    assert other.name in page and venue.name in page
    assert "tl-item kind-checkin" in page  # the case's own check-in on the timeline
    assert 'id="detection"' not in tracer.get(f"/tracing/cases/{case.pk}/").content.decode()
    contact = Contact.objects.get(person=other)
    assert contact.contact_type == "close" and contact.rule == "venue"


def test_detection_without_movement_data_says_so(tracer: Client, case: Case, tmp_path: Path,
                                                 settings: Any) -> None:
    settings.MOVEMENT_DIR = tmp_path / "nowhere"
    page = tracer.post(f"/tracing/cases/{case.pk}/detect", follow=True).content.decode()
    assert 'class="msg error"' in page and "FANGKONG_MOVEMENT_DIR" in page
    case.refresh_from_db()
    assert case.contacts_run_at is None


def test_case_page_shows_the_first_contacts_then_all(tracer: Client, case: Case, city: City,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from fangkong.tracing import views

    for person in city.districts[0].persons[1:]:
        contact_of(case, person)
    monkeypatch.setattr(views, "CONTACT_ROWS", 2)
    page = tracer.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert page.split("<tbody>")[1].count('<tr class=""') == 2
    assert "all=1#contacts" in page
    everyone = tracer.get(f"/tracing/cases/{case.pk}/?all=1").content.decode()
    assert everyone.split("<tbody>")[1].count('<tr class=""') == 5
    assert "all=1#contacts" not in everyone


# ---------------------------------------------------------------- contacts work list


def test_contact_row_actions_with_htmx(tracer: Client, contact: Contact) -> None:
    url = f"/tracing/contacts/{contact.pk}"
    htmx = {"HTTP_HX_REQUEST": "true"}
    row = tracer.post(f"{url}/assign", **htmx).content.decode()
    assert row.startswith("<tr") and f'id="contact-{contact.pk}"' in row
    for step in ("notified", "located"):
        row = tracer.post(f"{url}/advance", {"to_status": step}, **htmx).content.decode()
        assert f"cs-{step}" in row
    refused = tracer.post(f"{url}/advance", {"to_status": "transferred"}, **htmx)
    assert refused.status_code == 200 and 'class="field-error"' in refused.content.decode()
    row = tracer.post(f"{url}/advance", {"to_status": "transferred", "disposition": "home",
                                         "destination": "幸福路1号"}, **htmx).content.decode()
    assert "cs-transferred" in row and "幸福路1号" in row
    contact.refresh_from_db()
    assert contact.status == "transferred" and contact.owner is not None
    assert contact.notified_at and contact.located_at and contact.transferred_at


def test_contact_actions_without_javascript(tracer: Client, contact: Contact) -> None:
    url = f"/tracing/contacts/{contact.pk}/advance"
    back = "/tracing/contacts/?status=identified"
    response = tracer.post(url, {"to_status": "located", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    refused = tracer.post(url, {"to_status": "notified", "next": "https://evil.example/"},
                          follow=True)
    assert refused.redirect_chain[-1][0] == "/tracing/contacts/"
    assert 'class="msg error"' in refused.content.decode()
    contact.refresh_from_db()
    assert contact.status == "located"


def test_contacts_filters_and_escalated_rows_stand_out(tracer: Client, case: Case,
                                                      city: City) -> None:
    people = city.districts[0].persons
    late = contact_of(case, people[1], escalated_at=at(18))
    fresh = contact_of(case, people[2], contact_type="secondary", rule="venue",
                       identified_at=dt.datetime.now(dt.UTC))
    page = tracer.get("/tracing/contacts/").content.decode()
    row = page.split(f'id="contact-{late.pk}"')[1].split(">")[0]
    assert 'class="escalated"' in row
    overdue = tracer.get("/tracing/contacts/", {"overdue": "1"}).content.decode()
    assert f'id="contact-{late.pk}"' in overdue and f'id="contact-{fresh.pk}"' not in overdue
    secondary = tracer.get("/tracing/contacts/", {"type": "secondary"}).content.decode()
    assert f'id="contact-{fresh.pk}"' in secondary and f'id="contact-{late.pk}"' not in secondary
    tracer.post(f"/tracing/contacts/{fresh.pk}/advance", {"to_status": "notified"})
    notified = tracer.get("/tracing/contacts/", {"status": "notified"}).content.decode()
    assert f'id="contact-{fresh.pk}"' in notified and f'id="contact-{late.pk}"' not in notified


def test_grid_worker_sees_the_contacts_of_the_grid(grid_worker: Client, case: Case,
                                                   city: City) -> None:
    mine = contact_of(case, city.districts[0].persons[1])  # grid 1
    theirs = contact_of(case, city.districts[0].persons[3])  # grid 2 of the same district
    page = grid_worker.get("/tracing/contacts/").content.decode()
    assert f'id="contact-{mine.pk}"' in page and f'id="contact-{theirs.pk}"' not in page
    assert grid_worker.post(f"/tracing/contacts/{theirs.pk}/advance",
                            {"to_status": "notified"}).status_code == 404


# ---------------------------------------------------------------- risk points


def test_risk_points_two_person_rule_then_public(tracer: Client, case: Case, city: City,
                                                 client: Client) -> None:
    point = _point(case, venue=city.districts[0].venues[0])
    own = tracer.get("/tracing/risk-points/").content.decode()
    assert f"/tracing/risk-points/{point.pk}/review" not in own
    refused = tracer.post(f"/tracing/risk-points/{point.pk}/review", follow=True)
    assert 'class="msg error"' in refused.content.decode()
    second = login("tracer1b")
    assert f"/tracing/risk-points/{point.pk}/review" in second.get(
        "/tracing/risk-points/").content.decode()
    assert second.post(f"/tracing/risk-points/{point.pk}/review").status_code == 302
    assert client.get("/public/risk-points.json").json()["points"] == []
    assert tracer.post(f"/tracing/risk-points/{point.pk}/publish").status_code == 302
    published = client.get("/public/risk-points.json").json()["points"]
    assert [p["place"] for p in published] == [point.place]
    assert tracer.post(f"/tracing/risk-points/{point.pk}/withdraw").status_code == 302
    assert client.get("/public/risk-points.json").json()["points"] == []


def test_draft_risk_points_from_the_interview(tracer: Client, case: Case, city: City) -> None:
    venue = city.districts[0].venues[0]
    do_add_entry(actor=actor_named("tracer1"), case_id=case.pk, start=at(9), end=at(10),
                 venue_id=venue.pk)
    response = tracer.post(f"/tracing/cases/{case.pk}/risk-points", follow=True)
    page = response.content.decode()
    assert 'class="msg success"' in page and "rp rp-draft" in page
    assert RiskPoint.objects.filter(case=case, venue=venue).count() == 1


def test_public_page_shows_published_points_only_and_no_person(
        client: Client, case: Case, city: City) -> None:
    venue = city.districts[0].venues[0]
    _point(case, "published", venue=venue, place="幸福路菜市场（一层）")
    _point(case, "draft", place="草稿点位")
    _point(case, "reviewed", place="已审点位")
    _point(case, "withdrawn", place="已撤回点位")
    _point(case, "published", place="很久以前",
           start=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),
           end=dt.datetime.now(dt.UTC) - dt.timedelta(days=29))
    second = login("tracer1b")
    response = client.get("/public/risk-points/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "幸福路菜市场（一层）" in page and venue.address in page
    assert city.districts[0].unit.name in page
    for hidden in ("草稿点位", "已审点位", "已撤回点位", "很久以前", case.person.name,
                   str(case.person.id_number), case.person.phone, f"#{case.pk}"):
        assert hidden not in page, hidden
    assert "sidebar" not in page and "csrfmiddlewaretoken" not in page
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert "ETag" in response
    cached = client.get("/public/risk-points/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert cached.status_code == 304
    data = client.get("/public/risk-points.json")
    assert data["Content-Type"].startswith("application/json")
    assert "public" in data["Cache-Control"]
    points = data.json()["points"]
    assert len(points) == 1
    assert set(points[0]) == {"place", "venue", "address", "start", "end", "district"}
    assert points[0]["start"].endswith("+08:00")
    text = json.dumps(data.json(), ensure_ascii=False)
    assert case.person.name not in text and case.person.phone not in text
    english = client.get("/public/risk-points/?lang=en").content.decode()
    assert "Places visited by cases" in english and "District 1" in english
    assert second.get("/public/risk-points/").status_code == 200


# ---------------------------------------------------------------- query counts
# Session, user and profile, then the rows, and on the case page a few constant reads (the
# policy in force, the interview entries, risk points); never one read per row.

# session, user, profile, the rows, and a few constant reads (policy in force, the timeline's
# entries, risk points, the units of the district filter); never one per row


def test_list_pages_use_a_constant_number_of_queries(
        tracer: Client, city: City, django_assert_max_num_queries: Any) -> None:
    """Many rows cost no more queries than a few (no N+1 on persons, grids, venues)."""
    cases = [register("tracer1", p) for p in city.districts[0].persons]
    extra = [Person(name=f"钱{n:02d}", sex="F") for n in range(30)]
    for person in extra:
        person.place_in(city.districts[0].grids[0])
    Person.objects.bulk_create(extra)
    for n, person in enumerate(Person.objects.filter(name__startswith="钱")):
        contact_of(cases[n % 3], person, contact_type="secondary" if n % 2 else "close",
                   rule="venue", venue=city.districts[0].venues[0],
                   via_person=city.districts[0].persons[0] if n % 2 else None,
                   owner=User.objects.get(username="tracer1") if n % 3 else None)
        _point(cases[n % 3], "draft", venue=city.districts[0].venues[0])
    tracer.get("/")
    for url, limit in [("/tracing/cases/", 8), ("/tracing/contacts/", 6),
                       ("/tracing/risk-points/?status=all", 6), ("/public/risk-points/", 6),
                       (f"/tracing/cases/{cases[0].pk}/", 14), ("/tracing/funnel/", 8),
                       ("/tracing/chains/", 8)]:
        with django_assert_max_num_queries(limit):
            assert tracer.get(url).status_code == 200, url


# ---------------------------------------------------------------- funnel and chains


def _json_script(page: str, element_id: str) -> Any:
    return json.loads(page.split(f'id="{element_id}" type="application/json">')[1]
                      .split("</script>", maxsplit=1)[0])


def test_funnel_page_chart_and_tables(tracer: Client, city: City, case: Case,
                                      contact: Contact) -> None:
    open_case = register("tracer1", city.districts[0].persons[3])
    tracer.post(f"/tracing/contacts/{contact.pk}/advance", {
        "to_status": "transferred", "disposition": "centralised", "destination": "集中隔离点A"})
    response = tracer.get("/tracing/funnel/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "vendor/echarts/echarts.min.js" in page and "fangkong/charts.js" in page
    chart = _json_script(page, "funnel-data")
    assert chart["districts"] == ["District 1"]
    assert [len(s["values"]) for s in chart["steps"]] == [1, 1, 1]
    assert {c["id"] for c in chart["cases"]} == {case.pk, open_case.pk}
    assert f'href="/tracing/cases/{case.pk}/"' in page
    assert f'href="/tracing/cases/{open_case.pk}/"' in page
    assert "within-no" in page  # 2022 results: long past 24 hours


def test_funnel_of_one_district_for_the_city(admin_client_: Client, city: City,
                                            case: Case) -> None:
    make_user("tracer2", unit=city.districts[1].unit, roles=["tracer"])
    other = register("tracer2", city.districts[1].persons[0])
    both = admin_client_.get("/tracing/funnel/").content.decode()
    assert len(_json_script(both, "funnel-data")["districts"]) == 2
    one = admin_client_.get("/tracing/funnel/", {"district": city.districts[1].unit.pk})
    data = _json_script(one.content.decode(), "funnel-data")
    assert [c["id"] for c in data["cases"]] == [other.pk]


def test_chains_page_graph_links_to_cases(tracer: Client, city: City, officer2: Client) -> None:
    people = city.districts[0].persons
    first = register("tracer1", people[0])
    second = register("tracer1", people[1])
    third = register("tracer1", people[2])
    lone = register("tracer1", people[3])
    for child in (second, third):
        tracer.post(f"/tracing/cases/{child.pk}/source", {"source_case": first.pk})
    page = tracer.get("/tracing/chains/").content.decode()
    assert "vendor/echarts/echarts.min.js" in page
    data = _json_script(page, "chain-data")
    graph = data["graph"]
    assert {n["id"] for n in graph["nodes"]} == {str(c.pk) for c in (first, second, third, lone)}
    assert {(link["source"], link["target"]) for link in graph["links"]} == {
        (str(first.pk), str(second.pk)), (str(first.pk), str(third.pk))}
    assert len(data["palette"]) >= 8 and data["unlinked"]
    assert 'data-case-url="/tracing/cases/0/"' in page
    table = page.split("<tbody>")[1]
    for c in (first, second, third):
        assert f'href="/tracing/cases/{c.pk}/"' in table
    assert f'href="/tracing/cases/{lone.pk}/"' not in table
    assert all(p.name not in json.dumps(data, ensure_ascii=False) for p in people)
    foreign = _json_script(officer2.get("/tracing/chains/").content.decode(), "chain-data")
    assert foreign["graph"]["nodes"] == []


def test_echarts_only_on_chart_pages(tracer: Client, case: Case) -> None:
    for url in ["/tracing/cases/", f"/tracing/cases/{case.pk}/", "/tracing/contacts/",
                "/tracing/risk-points/", "/"]:
        assert "echarts" not in tracer.get(url).content.decode(), url
