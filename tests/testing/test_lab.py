"""Transport and lab results: the chain of custody and its refusals, the result import (bad
lines by number, idempotent resend, conflicts), positive pools → holds and the retest list,
a retest negative releasing, a positive single tube opening a case; scoping and rights."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.testing import actions_lab as lab
from fangkong.testing import holds, results
from fangkong.testing.models import (
    Alert,
    Box,
    Campaign,
    Hold,
    ResultImport,
    Sample,
    Site,
    Tube,
)
from fangkong.tracing.models import Case
from tests.testing.builders import TZ, Round

pytestmark = pytest.mark.django_db


def actor(rnd: Round, name: str) -> Actor:
    return actor_for(rnd.users[name])


def swab(tube: Tube, people: list[Person], *, kind: str = "screening",
         at: dt.datetime | None = None) -> Tube:
    """Samples into a tube and the tube sealed, as the sampling table leaves it."""
    at = at or dt.datetime.now(TZ) - dt.timedelta(hours=1)
    for person in people:
        sample = Sample(campaign=tube.campaign, tube=tube, person=person, kind=kind,
                        sampled_at=at)
        sample.place_in(person.grid)
        sample.save()
    tube.status, tube.kind, tube.members = "sealed", kind, len(people)
    tube.opened_at, tube.sealed_at = at, at + dt.timedelta(minutes=5)
    tube.save()
    return tube


def new_tube(site: Site, code: str, *, capacity: int = 1,
             campaign: Campaign | None = None) -> Tube:
    tube = Tube(campaign=campaign or site.campaign, code=code, capacity=capacity, site=site)
    tube.place_in(site.grid)
    tube.save()
    return tube


def deliver(rnd: Round, tubes: list[Tube], code: str = "BX1") -> Box:
    """Box, seal, hand over and receive at LAB1 (district 1's site S11)."""
    box = lab.do_create_box(actor=actor(rnd, "sampler1"), site_id=rnd.sites[0].pk, code=code)
    lab.do_box_tubes(actor=actor(rnd, "sampler1"), box_id=box.pk, codes=[t.code for t in tubes])
    lab.do_seal_box(actor=actor(rnd, "sampler1"), box_id=box.pk)
    lab.do_hand_over(actor=actor(rnd, "sampler1"), box_id=box.pk, courier="王师傅")
    lab.do_receive_box(actor=actor(rnd, "lab1"), box_id=box.pk)
    return box


def csv_of(*rows: str) -> str:
    return "tube_code,result,ct_value,tested_at\n" + "\n".join(rows) + "\n"


def send(rnd: Round, text: str, key: str = "k1", accept_good: bool = False) -> dict:
    return results.do_import_results(actor=actor(rnd, "lab1"), lab_id=rnd.labs[0].pk,
                                     client_key=key, frame=results.read_csv(text),
                                     filename="r.csv", accept_good=accept_good)


def when() -> str:
    return (dt.datetime.now(TZ) - dt.timedelta(minutes=10)).isoformat()


def d1_people(rnd: Round) -> list[Person]:
    return list(rnd.city.districts[0].persons)


def test_chain_of_custody(rnd: Round) -> None:
    tube = swab(rnd.tubes[rnd.sites[0].pk][0], d1_people(rnd)[:3])
    box = deliver(rnd, [tube])
    tube.refresh_from_db()
    box.refresh_from_db()
    assert tube.status == "received" and tube.lab == rnd.labs[0] and tube.box == box
    assert box.sealed_at <= box.handed_over_at <= box.received_at == tube.received_at
    assert box.courier == "王师傅" and box.received_by == rnd.users["lab1"]
    verbs = list(AuditLog.objects.filter(target_id=str(box.pk), target_type="screening.box")
                 .order_by("pk").values_list("verb", flat=True))
    assert verbs == ["screening.box.create", "screening.box.add", "screening.box.seal",
                     "screening.box.hand_over", "screening.box.receive"]


def test_receipt_lists_tubes_kept_too_long(rnd: Round) -> None:
    """Room temperature ≤ 4 h (policy ``receipt_hours``): late tubes are named, still taken."""
    people = d1_people(rnd)
    fresh = swab(rnd.tubes[rnd.sites[0].pk][0], people[:1])
    stale = swab(rnd.tubes[rnd.sites[0].pk][1], people[1:2],
                 at=dt.datetime.now(TZ) - dt.timedelta(hours=5))
    sampler = actor(rnd, "sampler1")
    box = lab.do_create_box(actor=sampler, site_id=rnd.sites[0].pk, code="BX1")
    lab.do_box_tubes(actor=sampler, box_id=box.pk, codes=[fresh.code, stale.code])
    lab.do_seal_box(actor=sampler, box_id=box.pk)
    lab.do_hand_over(actor=sampler, box_id=box.pk, courier="c")
    receipt = lab.do_receive_box(actor=actor(rnd, "lab1"), box_id=box.pk)
    assert receipt.tubes == 2 and receipt.late == [stale.code]


def test_boxing_refusals(rnd: Round) -> None:
    site = rnd.sites[0]
    sealed, unsealed = swab(rnd.tubes[site.pk][0], d1_people(rnd)[:2]), rnd.tubes[site.pk][1]
    other = Campaign.objects.create(code="R2", name="r2", starts_at=rnd.campaign.starts_at,
                                    ends_at=rnd.campaign.ends_at, created_at=rnd.campaign.starts_at)
    foreign = swab(new_tube(site, "R2-0001", capacity=10, campaign=other), [])
    sampler = actor(rnd, "sampler1")
    box = lab.do_create_box(actor=sampler, site_id=site.pk, code="BX1")
    for code, words in ((unsealed.code, "not sealed"), (foreign.code, "another round"),
                        ("NOPE", "not known")):
        with pytest.raises(DomainError, match=words):
            lab.do_box_tubes(actor=sampler, box_id=box.pk, codes=[sealed.code, code])
    assert Tube.objects.filter(box=box).count() == 0  # one bad tube refuses the whole scan
    with pytest.raises(DomainError, match="empty"):
        lab.do_seal_box(actor=sampler, box_id=box.pk)
    lab.do_box_tubes(actor=sampler, box_id=box.pk, codes=[sealed.code])
    second = lab.do_create_box(actor=sampler, site_id=site.pk, code="BX2")
    with pytest.raises(DomainError, match="already in a box"):
        lab.do_box_tubes(actor=sampler, box_id=second.pk, codes=[sealed.code])
    with pytest.raises(Conflict, match="exists"):
        lab.do_create_box(actor=sampler, site_id=site.pk, code="BX1")
    with pytest.raises(Conflict, match="seal the box"):
        lab.do_hand_over(actor=sampler, box_id=box.pk, courier="x")
    lab.do_seal_box(actor=sampler, box_id=box.pk)
    with pytest.raises(Conflict, match="handed over"):
        lab.do_receive_box(actor=actor(rnd, "lab1"), box_id=box.pk)
    with pytest.raises(DomainError, match="courier"):
        lab.do_hand_over(actor=sampler, box_id=box.pk, courier="  ")
    lab.do_hand_over(actor=sampler, box_id=box.pk, courier="c")
    lab.do_receive_box(actor=actor(rnd, "lab1"), box_id=box.pk)
    with pytest.raises(Conflict, match="received already"):
        lab.do_receive_box(actor=actor(rnd, "lab1"), box_id=box.pk)


def test_scoping_of_boxes_and_tubes(rnd: Round) -> None:
    tube = swab(rnd.tubes[rnd.sites[0].pk][0], d1_people(rnd)[:1])
    box = lab.do_create_box(actor=actor(rnd, "sampler1"), site_id=rnd.sites[0].pk, code="BX1")
    with pytest.raises(NotFound):
        lab.do_box_tubes(actor=actor(rnd, "sampler2"), box_id=box.pk, codes=[tube.code])
    with pytest.raises(NotFound):
        lab.do_create_box(actor=actor(rnd, "sampler2"), site_id=rnd.sites[0].pk, code="BX9")
    with pytest.raises(PermissionDenied):
        lab.do_create_box(actor=actor(rnd, "organiser1"), site_id=rnd.sites[0].pk, code="BX9")
    assert list(lab.boxes_for(actor(rnd, "organiser1"))) == [box]
    assert list(lab.boxes_for(actor(rnd, "organiser2"))) == []
    assert not lab.tubes_for(actor(rnd, "organiser2")).filter(pk=tube.pk).exists()
    with pytest.raises(NotFound):
        lab.get_tube(actor(rnd, "organiser2"), tube.pk)
    # lab staff of district 2 see a box from district 1 addressed to their lab, not others
    Box.objects.filter(pk=box.pk).update(lab=rnd.labs[1])
    lab2 = actor_for(_user("lab2", rnd.city.districts[1].unit))
    assert list(lab.boxes_for(lab2)) == [box]
    assert list(lab.boxes_for(actor(rnd, "lab1"))) == []
    with pytest.raises(PermissionDenied):
        lab.do_receive_box(actor=actor(rnd, "organiser1"), box_id=box.pk)


def _user(name: str, unit: object) -> User:
    from tests.factories import make_user
    return make_user(name, unit=unit, roles=["lab_staff"])  # type: ignore[arg-type]


def test_loose_tube_receipt(rnd: Round) -> None:
    tube = swab(rnd.singles[rnd.sites[0].pk][0], d1_people(rnd)[:1])
    lab1 = actor(rnd, "lab1")
    with pytest.raises(NotFound):
        lab.do_receive_tube(actor=lab1, lab_id=rnd.labs[1].pk, code=tube.code)
    got = lab.do_receive_tube(actor=lab1, lab_id=rnd.labs[0].pk, code=tube.code)
    assert got.status == "received" and got.lab == rnd.labs[0] and got.received_at
    with pytest.raises(Conflict, match="not sealed"):
        lab.do_receive_tube(actor=lab1, lab_id=rnd.labs[0].pk, code=tube.code)


def test_import_reports_every_bad_line_and_stores_nothing(rnd: Round) -> None:
    people = d1_people(rnd)
    a, b = (swab(t, people[2 * i:2 * i + 2]) for i, t in enumerate(rnd.tubes[rnd.sites[0].pk][:2]))
    deliver(rnd, [a, b])
    future = (dt.datetime.now(TZ) + dt.timedelta(hours=2)).isoformat()
    text = csv_of(f"{a.code},negative,,{when()}", f"{b.code},maybe,30,{when()}",
                  f"S99-unknown,negative,,{when()}", f"{a.code},negative,abc,2024-05-03T10:00",
                  f"{b.code},negative,,{future}")
    with pytest.raises(results.ImportRefused) as refused:
        send(rnd, text)
    errors = [(e["line"], e["field"]) for e in refused.value.answer["errors"]]
    assert errors == [(3, "result"), (4, "tube_code"), (5, "ct_value"), (5, "tested_at"),
                      (5, "tube_code"), (6, "tested_at"), (6, "tube_code")]
    assert refused.value.status == 422
    assert not ResultImport.objects.exists() and Tube.objects.filter(result="").count() > 0
    a.refresh_from_db()
    assert a.result == ""
    answer = send(rnd, text, accept_good=True)
    assert answer["imported"] == 1 and answer["refused"] == 4 and answer["rows"] == 5
    a.refresh_from_db()
    assert a.status == "resulted" and a.result == "negative" and a.resulted_at
    assert all(s.notified_at for s in a.samples.all())


def test_import_twice_stores_once_and_conflicts(rnd: Round) -> None:
    tube = swab(rnd.tubes[rnd.sites[0].pk][0], d1_people(rnd)[:2])
    deliver(rnd, [tube])
    first = send(rnd, csv_of(f"{tube.code},negative,,{when()}"))
    again = send(rnd, csv_of(f"{tube.code},positive,,{when()}"))  # same key: not even read
    assert again == {**first, "replayed": True} and ResultImport.objects.count() == 1
    same = send(rnd, csv_of(f"{tube.code},negative,,{when()}"), key="k2")
    assert same["imported"] == 0 and same["unchanged"] == 1
    with pytest.raises(results.ImportRefused) as refused:
        send(rnd, csv_of(f"{tube.code},positive,31,{when()}"), key="k3")
    assert refused.value.status == 409 and refused.value.answer["errors"][0]["conflict"]
    tube.refresh_from_db()
    assert tube.result == "negative" and not Hold.objects.exists()


def test_a_tube_not_received_by_the_lab_is_refused(rnd: Round) -> None:
    tube = swab(rnd.tubes[rnd.sites[0].pk][0], d1_people(rnd)[:2])  # sealed, never received
    with pytest.raises(results.ImportRefused) as refused:
        send(rnd, csv_of(f"{tube.code},negative,,{when()}"))
    assert refused.value.answer["errors"][0]["message"] == "not received by this lab"


def test_positive_pool_holds_members_then_retests_settle(rnd: Round) -> None:
    site, people = rnd.sites[0], d1_people(rnd)
    pool = swab(rnd.tubes[site.pk][0], people[:4])
    deliver(rnd, [pool])
    answer = send(rnd, csv_of(f"{pool.code},positive,28.5,{when()}"))
    assert answer["holds"] == 4 and answer["positive_tubes"] == 1 and answer["cases"] == 0
    assert set(Hold.objects.filter(status="held").values_list("person", flat=True)) == {
        p.pk for p in people[:4]}
    assert Alert.objects.get(kind="positive_pool").tube == pool
    ids = {r.person_id for r in holds.retest_list(actor=actor(rnd, "organiser1"),
                                                  campaign_id=rnd.campaign.pk)}
    assert ids == {p.pk for p in people[:4]}
    assert holds.retest_list(actor=actor(rnd, "organiser2"), campaign_id=rnd.campaign.pk) == []
    grid1 = {r.person_id for r in holds.retest_list(actor=actor(rnd, "grid1"),
                                                    campaign_id=rnd.campaign.pk)}
    assert grid1 == {p.pk for p in people[:4] if p.grid_id == rnd.city.districts[0].grids[0].pk}
    # single-tube retests: two negative, one positive, one not yet taken
    singles = [swab(new_tube(site, f"RT-{n}"), [p], kind="retest")
               for n, p in enumerate(people[:3])]
    deliver(rnd, singles, code="BX2")
    answer = send(rnd, csv_of(f"{singles[0].code},negative,,{when()}",
                              f"{singles[1].code},negative,,{when()}",
                              f"{singles[2].code},positive,25,{when()}"), key="k2")
    assert answer["released"] == 2 and answer["cases"] == 1
    status = dict(Hold.objects.values_list("person", "status"))
    assert [status[p.pk] for p in people[:4]] == ["released", "released", "case", "held"]
    case = Case.objects.get(person=people[2])
    assert case.origin == "result" and case.classification == "asymptomatic"
    assert [r.person_id for r in holds.retest_list(
        actor=actor(rnd, "organiser1"), campaign_id=rnd.campaign.pk)] == [people[3].pk]
    assert Alert.objects.get(kind="positive_pool").resolved_at is None  # one still held
    again = holds.apply_results(tube_ids=[pool.pk, *(t.pk for t in singles)],
                                result_import=None)
    assert (again.holds, again.released, again.cases) == (0, 0, 0)
    assert Hold.objects.count() == 4 and Case.objects.count() == 1


def test_positive_single_tube_opens_a_case(rnd: Round) -> None:
    person = d1_people(rnd)[0]
    sampled = dt.datetime.now(TZ) - dt.timedelta(hours=3)
    tube = swab(rnd.singles[rnd.sites[0].pk][0], [person], at=sampled)
    deliver(rnd, [tube])
    answer = send(rnd, csv_of(f"{tube.code},positive,22.1,{when()}"))
    case = Case.objects.get(person=person)
    assert answer["cases"] == 1 and answer["holds"] == 0 and not Hold.objects.exists()
    assert case.origin == "result" and case.sample_date == sampled.date()
    row = AuditLog.objects.get(verb="tracing.case.register")
    assert row.actor_name == f"{holds.SYSTEM_NAME}:{answer['import_id']}" and row.actor_id is None
    tube.refresh_from_db()
    assert tube.ct_value == 22.1 and tube.tested_at is not None


def test_invalid_result_puts_the_person_on_the_retest_list(rnd: Round) -> None:
    person = d1_people(rnd)[0]
    tube = swab(rnd.singles[rnd.sites[0].pk][0], [person])
    deliver(rnd, [tube])
    send(rnd, csv_of(f"{tube.code},invalid,,{when()}"))
    rows = holds.retest_list(actor=actor(rnd, "organiser1"), campaign_id=rnd.campaign.pk)
    assert [(r.person_id, r.reason) for r in rows] == [(person.pk, "resample")]
    assert "****" in rows[0].phone and not Hold.objects.exists()


def test_api_import_answers_and_rights(rnd: Round) -> None:
    tube = swab(rnd.tubes[rnd.sites[0].pk][0], d1_people(rnd)[:2])
    deliver(rnd, [tube])
    client = Client()
    client.force_login(rnd.users["lab1"])
    url = "/api/v1/screening/lab/results"

    def post(result: str, key: str, who: Client = client) -> tuple[int, dict]:
        body = {"lab_id": rnd.labs[0].pk, "client_key": key,
                "rows": [{"tube_code": tube.code, "result": result, "tested_at": when()}]}
        got = who.post(url, json.dumps(body), content_type="application/json")
        return got.status_code, got.json()

    assert post("bad", "a1")[0] == 422
    code, answer = post("negative", "a2")
    assert code == 200 and answer["imported"] == 1
    assert post("negative", "a2") == (200, {**answer, "replayed": True})
    code, answer = post("positive", "a3")
    assert code == 409 and answer["errors"][0]["line"] == 1
    organiser = Client()
    organiser.force_login(rnd.users["organiser1"])
    assert post("negative", "a4", organiser)[0] == 403
    holds_url = f"/api/v1/screening/campaigns/{rnd.campaign.pk}/retests"
    assert organiser.get(holds_url).status_code == 200
    assert client.get(holds_url).status_code == 403
