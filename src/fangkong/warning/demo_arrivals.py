"""Demo of the arrivals and self-report parts, through the real actions: two listed risk
origins, a week of arrivals recorded by ``checkpoint1`` (typed at the station's and the road's
counters, and one airport list whose two bad lines are reported and the rest stored), some of
them not in the registry; the daily arrival-test job run for each past day of the week (a test
is done where the person has a resulted sample in its window, e.g. from a screening round;
missed otherwise); then a few residents' own reports (travel, symptoms, one contact).

Under the rules in force today (after 3 December 2022) arrivals owe no tests: the arrivals,
their code reports and follow-ups are stored, and the job finds nothing to mark. Seeding
again does nothing (a marker audit row)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from fangkong.core import clock
from fangkong.core.audit import record
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, AuditLog, Level
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.warning import arrivals, origins, selfreport
from fangkong.warning.jobs_arrivals import do_mark_arrival_tests
from fangkong.warning.models import ArrivalRecord, ArrivalSource, ArrivalTest, RiskOrigin

MARKER = "warning.demo.arrivals"
ORIGINS = (("上海市浦东新区", "310115"), ("广州市海珠区", "440105"))
ELSEWHERE = ("成都市", "杭州市", "兰州市", "郑州市")
COUNTER = ((ArrivalSource.STATION, "北站出站口"),
           (ArrivalSource.HIGHWAY, "G30高速收费站"))
AIRPORT = "咸阳国际机场T3"
TYPED, LISTED, UNKNOWN = 40, 20, 6  # counter arrivals, list lines, of those not in the registry
WEEK = 7
EMPTY = {"origins": 0, "arrivals": 0, "unmatched": 0, "rejected_lines": 0, "tests": 0,
         "tests_done": 0, "tests_missed": 0, "self_reports": 0}


def seed_arrivals(*, seed: int = 2022) -> dict[str, int]:
    """A week of arrivals and a few self-reports (once); counts of what was stored."""
    city = AdminUnit.objects.filter(level=Level.CITY).order_by("pk").first()
    people = list(Person.objects.filter(inactive_since__isnull=True, purged=False)
                  .exclude(id_number="").order_by("pk")[:2000])
    if AuditLog.objects.filter(verb=MARKER).exists() or city is None or not people:
        return dict(EMPTY)
    rng, now = random.Random(seed), clock.now()
    listed = _origins(city, today=timezone.localdate(now))
    desk = _checkpoint(city)
    places = [code for _, code in ORIGINS] + [name for name, _ in ORIGINS] + list(ELSEWHERE) * 2
    for n in range(TYPED):
        source, point = COUNTER[n % 2]
        given: dict[str, Any] = {"client_key": f"demo-{seed}-{n}", "source": source,
                                 "checkpoint": point, "arrived_at": _when(rng, now),
                                 "origin": rng.choice(places), **_who(rng, people, n)}
        arrivals.do_record_arrival(actor=desk, **given)
    answer = arrivals.do_import_arrivals(actor=desk, data=_list(rng, now, people, places),
                                         file_name="咸阳机场到达旅客.csv", store_good=True)
    done, missed = _run_test_job(now)
    counts = {"origins": len(listed), "arrivals": ArrivalRecord.objects.count(),
              "unmatched": ArrivalRecord.objects.filter(person__isnull=True).count(),
              "rejected_lines": len(answer.errors), "tests": ArrivalTest.objects.count(),
              "tests_done": done, "tests_missed": missed,
              "self_reports": _self_reports(rng, people, seed)}
    record(actor=desk, verb=MARKER, target=None, after=counts)
    return counts


def _origins(city: AdminUnit, *, today: dt.date) -> list[int]:
    """The two listed origins (kept when the city listed them already)."""
    manager = _user_actor("admin") or Actor(
        user_id=None, username="demo:warning", unit=city,
        rights=frozenset({Right.WARNING_MANAGE}))
    out = []
    for name, code in ORIGINS:
        found = RiskOrigin.objects.filter(code=code).first()
        out.append(found.pk if found else origins.do_add_origin(
            actor=manager, name=name, code=code, listed_from=today - dt.timedelta(days=14),
            note="demo").pk)
    return out


def _user_actor(username: str) -> Actor | None:
    user = User.objects.filter(username=username).first()
    return actor_for(user) if user is not None else None


def _checkpoint(city: AdminUnit) -> Actor:
    """``checkpoint1`` when the demo's logins exist, else the same role at the city."""
    return _user_actor("checkpoint1") or Actor(
        user_id=None, username="demo:checkpoint", unit=city,
        rights=frozenset({Right.CHECKPOINT}))


def _when(rng: random.Random, now: dt.datetime) -> dt.datetime:
    return (now - dt.timedelta(minutes=rng.randrange(30, WEEK * 24 * 60))).replace(
        second=0, microsecond=0)


def _who(rng: random.Random, people: list[Person], n: int) -> dict[str, str]:
    """A resident by ID number; every ``UNKNOWN``-th arrival a visitor not in the registry."""
    if n % (TYPED // UNKNOWN) == 0:
        return {"name": f"访客{n:02d}", "phone": f"1990000{n:04d}"}
    return {"id_number": rng.choice(people).id_number or ""}


def _list(rng: random.Random, now: dt.datetime, people: list[Person],
          places: list[str]) -> bytes:
    """The airport's list: ``LISTED`` good lines, then a bad ID number and a future time."""
    lines = ["source,checkpoint,arrived_at,id_number,name,phone,origin,client_key"]
    for n in range(LISTED):
        who = _who(rng, people, n + 1)
        lines.append(f"airport,{AIRPORT},{_when(rng, now).isoformat()},"
                     f"{who.get('id_number', '')},{who.get('name', '')},"
                     f"{who.get('phone', '')},{rng.choice(places)},air-{n}")
    later = (now + dt.timedelta(days=1)).isoformat()
    lines.append(f"airport,{AIRPORT},{_when(rng, now).isoformat()},12345,,,成都市,air-bad-1")
    lines.append(f"airport,{AIRPORT},{later},{people[0].id_number},,,成都市,air-bad-2")
    return ("\n".join(lines) + "\n").encode()


def _run_test_job(now: dt.datetime) -> tuple[int, int]:
    """The job as it would have run after each midnight of the week, then now."""
    today = timezone.localdate(now)
    done = missed = 0
    for back in range(WEEK - 1, -1, -1):
        midnight = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=back),
                                                           dt.time(0, 40)))
        result = do_mark_arrival_tests(now=min(midnight, now))
        done, missed = done + result.done, missed + result.missed
    result = do_mark_arrival_tests(now=now)
    return done + result.done, missed + result.missed


def _self_reports(rng: random.Random, people: list[Person], seed: int) -> int:
    """Residents' own reports: travel (one from a listed origin), symptoms, one contact."""
    today = clock.city_today()
    ago = [today - dt.timedelta(days=d) for d in range(1, 6)]
    reports: list[tuple[str, dict[str, Any]]] = [
        ("travel", {"origin": ORIGINS[0][0], "arrived_on": ago[0]}),
        ("travel", {"origin": "成都市", "arrived_on": ago[2]}),
        ("symptoms", {"symptoms": ["fever", "cough"], "since": ago[0]}),
        ("symptoms", {"symptoms": ["sore_throat"], "since": ago[1]}),
        ("symptoms", {"symptoms": ["fever", "fatigue"], "since": today}),
        ("contact", {"contact_on": ago[3], "place": "小区东门菜市场",
                     "who": "同楼栋邻居（已确诊）"}),
        ("travel", {"origin": ORIGINS[1][1], "arrived_on": ago[1]}),
    ]
    who = rng.sample(people, min(len(people), len(reports)))
    return sum(selfreport.do_self_report(person=person, kind=kind,
                                         client_key=f"demo-{seed}-{n}", **given)[1]
               for n, (person, (kind, given)) in enumerate(zip(who, reports, strict=False)))
