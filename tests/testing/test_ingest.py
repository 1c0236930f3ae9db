"""The batch store: each answer code, a resend stored once (also two devices at once on
PostgreSQL), and random event sequences stored as a plain model of the rules says."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.core import clock
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AuditLog
from fangkong.registry.models import Person
from fangkong.synth.idcard import is_valid
from fangkong.testing.actions_sampling import Batch, Event
from fangkong.testing.ingest import store_batch
from fangkong.testing.models import (
    Campaign,
    CampaignArea,
    Hold,
    Sample,
    ScanBatch,
    Tube,
)
from fangkong.tracing.models import Case, Contact
from tests.factories import id_number
from tests.testing.builders import Round, _tubes, make_round

VISITOR_ID = id_number(901, area="110101", birth="19900307")
BAD_ID = VISITOR_ID[:-1] + ("0" if VISITOR_ID[-1] != "0" else "1")


def sampler(rnd: Round, name: str = "sampler1") -> Actor:
    return actor_for(rnd.users[name])


def at(minutes: int = 0) -> dt.datetime:
    return clock.now() - dt.timedelta(hours=1) + dt.timedelta(minutes=minutes)


def scan(tube: Tube | str, who: Person | str, **extra: Any) -> Event:
    number = who if isinstance(who, str) else who.id_number or ""
    return Event(type="scan", tube=str(tube), at=at(len(number) % 7), id_number=number,
                 **extra)


def ev(kind: str, tube: Tube | str) -> Event:
    return Event(type=kind, tube=str(tube), at=at(30))


def send(rnd: Round, events: list[Event], *, key: str | None = None, site: int = 0,
         actor: Actor | None = None) -> dict[str, Any]:
    batch = Batch(client_key=key or uuid.uuid4().hex, campaign_id=rnd.campaign.pk,
                  site_id=rnd.sites[site].pk, device="phone-1", events=events)
    return store_batch(actor=actor or sampler(rnd), batch=batch)


def codes(answer: dict[str, Any]) -> list[str]:
    return [item["code"] for item in answer["items"]]


def people(rnd: Round, n: int = 3) -> list[Person]:
    return rnd.city.districts[0].persons[:n]


# ---------------------------------------------------------------- the ordinary table


def test_open_scan_seal_stores_samples_and_one_audit_row(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    persons = people(rnd)
    answer = send(rnd, [ev("open", tube), *[scan(tube, p) for p in persons], ev("seal", tube)])
    assert codes(answer) == ["ok"] * 5 and answer["accepted"] == 5 and not answer["resent"]
    assert answer["items"][1]["person"].endswith("*") or "*" in answer["items"][1]["person"]
    assert persons[0].name not in str(answer) and (persons[0].id_number or "") not in str(answer)
    tube.refresh_from_db()
    assert (tube.status, tube.members, tube.sampler_id) == ("sealed", 3,
                                                            rnd.users["sampler1"].pk)
    assert tube.opened_at is not None and tube.sealed_at is not None
    samples = Sample.objects.filter(tube=tube)
    assert {s.person_id for s in samples} == {p.pk for p in persons}
    assert all(s.grid_id == next(p.grid_id for p in persons if p.pk == s.person_id)
               for s in samples)  # placed at the resident's grid
    assert AuditLog.objects.filter(verb="screening.scan_batch").count() == 1
    assert AuditLog.objects.get(verb="screening.scan_batch").district_id == \
        rnd.sites[0].district_id


def test_a_resent_batch_is_stored_once(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    events = [scan(tube, p) for p in people(rnd)] + [ev("seal", tube)]
    first = send(rnd, events, key="device-1-batch-0001")
    again = send(rnd, events, key="device-1-batch-0001")
    third = send(rnd, events, key="device-1-batch-0001")
    assert again["resent"] and third["resent"]
    assert codes(again) == codes(first) == ["ok"] * 4
    assert Sample.objects.count() == 3 and ScanBatch.objects.count() == 1
    assert Tube.objects.get(pk=tube.pk).members == 3
    assert AuditLog.objects.filter(verb="screening.scan_batch").count() == 1


def test_a_client_key_of_another_sampler_is_refused(rnd: Round, city: Any) -> None:
    from tests.factories import make_user

    tube = rnd.tubes[rnd.sites[0].pk][0]
    send(rnd, [scan(tube, people(rnd, 1)[0])], key="shared-key-123")
    other = actor_for(make_user("sampler1b", unit=city.districts[0].unit, roles=["sampler"]))
    with pytest.raises(Conflict):
        send(rnd, [scan(tube, people(rnd, 2)[1])], key="shared-key-123", actor=other)
    assert Sample.objects.count() == 1


# ---------------------------------------------------------------- each answer at the table


def test_tube_answers(rnd: Round) -> None:
    s0, s1 = rnd.sites[0].pk, rnd.sites[1].pk
    other_round = Campaign.objects.create(code="R0", name="earlier", starts_at=at(),
                                          ends_at=at(60), created_at=at())
    foreign = Tube.objects.create(campaign=other_round, code="OLD-0001", capacity=10)
    single, pooled = rnd.singles[s0][0], rnd.tubes[s0][1]
    a, b, c = people(rnd)
    answer = send(rnd, [
        scan("NO-SUCH-TUBE", a), scan(foreign, a), scan(rnd.tubes[s1][0], a),
        ev("seal", pooled), scan(single, a), scan(single, b), ev("seal", single),
        scan(single, c), ev("open", single)])
    assert codes(answer) == ["unknown_tube", "tube_of_another_campaign",
                             "tube_of_another_site", "tube_empty", "ok", "tube_full", "ok",
                             "tube_sealed", "tube_sealed"]
    assert answer["items"][5]["capacity"] == 1 and "1" in answer["items"][5]["message"]
    assert answer["accepted"] == 2 and answer["rejected"] == 7
    assert Sample.objects.count() == 1


def test_a_person_sampled_twice_is_refused_in_the_batch_and_across_batches(rnd: Round) -> None:
    t1, t2 = rnd.tubes[rnd.sites[0].pk][:2]
    a, b, _ = people(rnd)
    assert codes(send(rnd, [scan(t1, a), scan(t1, a)])) == ["ok", "already_sampled"]
    answer = send(rnd, [scan(t2, a), scan(t2, b)], site=0)
    assert codes(answer) == ["already_sampled", "ok"]
    assert "*" in answer["items"][0]["person"]
    assert Sample.objects.filter(person=a).count() == 1


def test_bad_id_number_and_visitor(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    site = rnd.sites[0]
    assert not is_valid(BAD_ID) and is_valid(VISITOR_ID)
    answer = send(rnd, [scan(tube, BAD_ID),
                        scan(tube, VISITOR_ID.lower(), name="过路客",
                             phone="13900001234"),
                        scan(tube, f" {VISITOR_ID} ")])
    assert codes(answer) == ["bad_id_number", "visitor_registered", "already_sampled"]
    visitor = Person.objects.get(id_number=VISITOR_ID)
    assert visitor.temporary and visitor.name == "过路客" and visitor.phone_last4 == "1234"
    assert (visitor.grid_id, visitor.district_id) == (site.grid_id, site.district_id)
    assert visitor.birth_date == dt.date(1990, 3, 7)
    assert Sample.objects.get(person=visitor).grid_id == site.grid_id
    assert codes(send(rnd, [scan(rnd.tubes[site.pk][1], VISITOR_ID)])) == ["already_sampled"]


def test_single_tube_for_contacts_and_single_tube_areas(rnd: Round) -> None:
    s0 = rnd.sites[0].pk
    a, b, c = people(rnd)
    case = Case.objects.create(person=c, classification="confirmed", sample_date=at().date(),
                               result_at=at(), confirmed_at=at(), created_at=at())
    Contact.objects.create(person=a, index_case=case, contact_type="close", rule="household",
                           first_exposure=at(-600), last_exposure=at(-60), identified_at=at())
    answer = send(rnd, [scan(rnd.tubes[s0][0], a), scan(rnd.singles[s0][0], a)])
    assert codes(answer) == ["single_tube_required", "ok"]
    d2 = rnd.city.districts[1]
    CampaignArea.objects.filter(campaign=rnd.campaign, unit=d2.unit).update(pool_size=1)
    other = rnd.sites[2].pk
    answer = send(rnd, [scan(rnd.tubes[other][0], d2.persons[0]), scan(rnd.tubes[other][0], b)],
                  site=2, actor=sampler(rnd, "sampler2"))
    assert codes(answer) == ["single_tube_required", "ok"]


def test_retest_tube_takes_only_held_persons_and_links_the_hold(rnd: Round) -> None:
    s0 = rnd.sites[0].pk
    a, b, _ = people(rnd)
    pool = rnd.tubes[s0][0]
    send(rnd, [scan(pool, a), scan(pool, b), ev("seal", pool)])
    hold = Hold.objects.create(campaign=rnd.campaign, person=a, pool_tube=pool, held_at=at(40))
    retests = [Tube(campaign=rnd.campaign, code=f"RT-{n}", capacity=1, kind="retest",
                    site=rnd.sites[0]) for n in range(2)]
    Tube.objects.bulk_create(retests)
    answer = send(rnd, [scan(retests[0], b), scan(retests[0], a), scan(retests[1], a)])
    assert codes(answer) == ["not_on_hold", "ok", "already_sampled"]
    hold.refresh_from_db()
    sample = Sample.objects.get(person=a, kind="retest")
    assert hold.retest_id == sample.pk and sample.tube_id == retests[0].pk


def test_future_device_time_is_refused(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    late = Event(type="scan", tube=tube.code, at=clock.now() + dt.timedelta(hours=2),
                 id_number=people(rnd, 1)[0].id_number or "")
    assert codes(send(rnd, [late])) == ["bad_time"]


# ---------------------------------------------------------------- whole-batch refusals


def test_bad_batches_change_nothing(rnd: Round) -> None:
    tube = rnd.tubes[rnd.sites[0].pk][0]
    a = people(rnd, 1)[0]
    naive = Event(type="scan", tube=tube.code, at=dt.datetime(2022, 5, 1, 9),  # noqa: DTZ001
                  id_number="1")
    for events, key in (([naive], None), ([ev("shake", tube)], None), ([scan(tube, a)], "k")):
        with pytest.raises(DomainError):
            send(rnd, events, key=key)
    with pytest.raises(NotFound):  # district 2's sampler, district 1's site
        send(rnd, [scan(tube, a)], actor=sampler(rnd, "sampler2"))
    with pytest.raises(DomainError):  # a grid worker has no SCREENING_SAMPLE
        send(rnd, [scan(tube, a)], actor=actor_for(rnd.users["grid1"]))
    Campaign.objects.filter(pk=rnd.campaign.pk).update(status="planned")
    with pytest.raises(Conflict):
        send(rnd, [scan(tube, a)])
    assert not Sample.objects.exists() and not ScanBatch.objects.exists()


# ---------------------------------------------------------------- random sequences vs a model

IDS = ["p0", "p1", "p2", "visitor", "bad"]


def _model(events: list[tuple[str, int, str]], caps: list[int],
           ) -> tuple[list[str], list[tuple[str, int]]]:
    """The rules, plainly: what each event answers and each tube's final state."""
    tubes = [["issued", 0] for _ in caps]
    sampled: set[str] = set()
    answers = []
    for kind, t, who in events:
        if t >= len(caps):
            answers.append("unknown_tube")
            continue
        tube = tubes[t]
        if tube[0] == "sealed":
            answers.append("tube_sealed")
        elif kind == "open":
            tube[0] = "open"
            answers.append("ok")
        elif kind == "seal":
            answers.append("tube_empty" if tube[1] == 0 else "ok")
            tube[0] = "sealed" if tube[1] else tube[0]
        elif tube[1] >= caps[t]:
            answers.append("tube_full")
        elif who == "bad":
            answers.append("bad_id_number")
        elif who in sampled:
            answers.append("already_sampled")
        else:
            answers.append("visitor_registered" if who == "visitor" else "ok")
            sampled.add(who)
            tube[0], tube[1] = "open", tube[1] + 1
    return answers, [(s, m) for s, m in tubes]


event_st = st.tuples(st.sampled_from(["open", "scan", "scan", "scan", "seal"]),
                     st.integers(0, 2), st.sampled_from(IDS))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(event_st, max_size=8), min_size=1, max_size=3))
def test_random_sequences_follow_the_rules(rnd: Round,
                                           batches: list[list[tuple[str, int, str]]]) -> None:
    tubes = [rnd.singles[rnd.sites[0].pk][0], rnd.tubes[rnd.sites[0].pk][0]]
    Tube.objects.filter(pk=tubes[1].pk).update(capacity=2)
    numbers = {f"p{i}": p.id_number or "" for i, p in enumerate(people(rnd))}
    numbers |= {"visitor": VISITOR_ID, "bad": BAD_ID}
    codes_of = {0: tubes[0].code, 1: tubes[1].code, 2: "MISSING-TUBE"}
    expected, state = _model([e for b in batches for e in b], [1, 2])
    got = []
    with transaction.atomic():
        for b in batches:
            events = [Event(type=k, tube=codes_of[t], at=at(n), id_number=numbers[w])
                      for n, (k, t, w) in enumerate(b)]
            got += codes(send(rnd, events))
        final = [(t.status, t.members) for t in Tube.objects.filter(pk__in=[x.pk for x in tubes])
                 .order_by("capacity")]
        stored = {t.pk: Sample.objects.filter(tube=t).count() for t in tubes}
        transaction.set_rollback(True)
    assert got == expected
    assert final == state
    assert [stored[t.pk] for t in tubes] == [m for _, m in state]


# ---------------------------------------------------------------- two devices at once


def _parallel(calls: list[Any]) -> list[Any]:
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = calls[n]()
        except Exception as exc:  # the test inspects it
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_devices_at_once_keep_the_rules(city: Any) -> None:
    rnd = make_round(city)
    tube = rnd.tubes[rnd.sites[0].pk][0]
    Tube.objects.filter(pk=tube.pk).update(capacity=4)
    persons = people(rnd, 8)
    same = [scan(tube, p) for p in persons[:3]]
    results = _parallel([lambda: send(rnd, same, key="same-key-0001") for _ in range(4)])
    assert all(isinstance(r, dict) for r in results), results
    assert ScanBatch.objects.count() == 1 and Sample.objects.count() == 3
    assert sum(not r["resent"] for r in results) == 1
    # Four devices scan overlapping persons into one tube with one place left and into a
    # fresh tube each: one sample per person, and the nearly full tube takes one more.
    fresh = _tubes(rnd.sites[0], count=4, capacity=5)
    calls = [lambda n=n: send(rnd, [scan(tube, persons[3 + n % 2]),
                                    scan(fresh[n], persons[5]), scan(fresh[n], persons[6])])
             for n in range(4)]
    results = _parallel(calls)
    assert all(isinstance(r, dict) for r in results), results
    assert Tube.objects.get(pk=tube.pk).members == 4
    assert Sample.objects.filter(tube=tube).count() == 4
    for p in persons[3:7]:
        assert Sample.objects.filter(person=p, kind="screening").count() <= 1
    assert Sample.objects.filter(person__in=persons[5:7]).count() == 2


def test_device_times_with_an_offset_compare_as_instants(rnd: Round) -> None:
    """A phone sends +08:00; rows written in bulk must still filter like ORM-written ones."""
    tube = rnd.tubes[rnd.sites[0].pk][0]
    local = (clock.now() - dt.timedelta(hours=2)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    a = people(rnd, 1)[0]
    send(rnd, [Event(type="scan", tube=tube.code, at=local, id_number=a.id_number or ""),
               Event(type="seal", tube=tube.code, at=local + dt.timedelta(minutes=1))])
    window = {"gte": local - dt.timedelta(minutes=1), "lte": local + dt.timedelta(minutes=1)}
    assert Sample.objects.filter(sampled_at__gte=window["gte"],
                                 sampled_at__lte=window["lte"]).count() == 1
    assert Tube.objects.filter(pk=tube.pk, sealed_at__lt=local + dt.timedelta(minutes=2),
                               opened_at__gte=window["gte"]).exists()
    assert Sample.objects.get().sampled_at == local


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_person_sampled_by_another_device_mid_batch_gets_a_clean_answer(city: Any) -> None:
    """Another device's uncommitted sample of the same person (in another tube, so no lock
    is shared): this batch waits on the unique constraint, is walked again once the other
    commits, and answers already_sampled instead of failing."""
    import psycopg

    rnd = make_round(city)
    a, b = people(rnd, 2)
    theirs, ours = rnd.tubes[rnd.sites[0].pk][:2]
    settings_dict = connection.settings_dict
    other = psycopg.connect(dbname=settings_dict["NAME"], user=settings_dict["USER"],
                            host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432,
                            password=settings_dict["PASSWORD"] or None)
    other.execute(
        "INSERT INTO screening_sample (campaign_id, tube_id, person_id, kind, channel,"
        " sampled_at, grid_id) VALUES (%s, %s, %s, 'screening', 'site', now(), %s)",
        (rnd.campaign.pk, theirs.pk, a.pk, a.grid_id))
    results = []
    worker = threading.Thread(target=lambda: (results.append(
        send(rnd, [scan(ours, b), scan(ours, a)], key="racing-batch-01")),
        connection.close()))
    worker.start()
    worker.join(timeout=1.5)
    assert worker.is_alive()  # waiting on the other device's sample of ``a``
    other.commit()
    other.close()
    worker.join(timeout=30)
    assert results and codes(results[0]) == ["ok", "already_sampled"]
    assert Sample.objects.filter(person=a).count() == 1
    assert Tube.objects.get(pk=ours.pk).members == 1
