"""The daily-check board at 100,000 people in quarantine (bench_quarantine.py): the fixture
(open orders in hotels and at home, their scheduled tests, yesterday's and today's checks,
open alerts; bulk-inserted), the page through Django's test client as a city manager, a
district manager and a facility's staff, and the baseline: the plain ``count(*) ... GROUP BY``
queries behind the board's numbers, run directly on the same connection."""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.bench_registry import summarize
from benchmarks.quarantine_fixture import BATCH, make_hotels, make_orders, make_user
from fangkong.core import clock
from fangkong.core.models import AdminUnit, Level
from fangkong.quarantine.models import (
    AlertKind,
    DailyCheck,
    Facility,
    OrderKind,
    OrderReason,
    OrderStatus,
    QuarantineAlert,
    QuarantineOrder,
    QuarantinePolicy,
    Room,
    ScheduledTest,
    TestResult,
)
from fangkong.quarantine.orders import today
from fangkong.quarantine.policy import rules_of
from fangkong.registry.models import Person

CENTRALISED_SHARE = 0.85
CHECKED_YESTERDAY = 0.97
CHECKED_TODAY = 0.6  # the board is looked at mid-day
FEVER, LOW_MOOD = 0.004, 0.006
KPI = re.compile(r'<span class="kpi-value"[^>]*>([\d,]+)</span>')


def board_cases(*, people: int, hotels: int, repeat: int, exclude: set[int], seed: int
                ) -> dict[str, Any]:
    rng = random.Random(seed)
    began = time.perf_counter()
    rows = build_board(people=people, hotels=hotels, exclude=exclude, rng=rng)
    fixture_s = time.perf_counter() - began
    print(f"board fixture: {rows:,} rows in {fixture_s:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out = [_case(name, fn, repeat) for name, fn in _cases(rng)]
    return {"people": people, "fixture_rows": rows, "fixture_s": fixture_s, "cases": out}


def build_board(*, people: int, hotels: int, exclude: set[int], rng: random.Random) -> int:
    """Open orders for ``people`` residents (most in hotels of varied size, the rest at home),
    with the tests their policy schedules and the checks of yesterday and today."""
    policy = QuarantinePolicy.objects.order_by("-effective_from").first()
    assert policy is not None
    day = today()
    pool = [p for p in Person.objects.values_list("pk", flat=True) if p not in exclude]
    chosen = rng.sample(pool, people)
    central = int(people * CENTRALISED_SHARE)
    weights = [rng.uniform(0.4, 1.6) for _ in range(hotels)]
    sizes = [int(central * w / sum(weights)) for w in weights]
    sizes[0] += central - sum(sizes)
    make_hotels("QB", sizes)
    rooms = list(Room.objects.filter(facility__code__startswith="QB-")
                 .order_by("facility__code", "pk"))
    days = [day - dt.timedelta(days=k) for k in range(7)]
    make_orders(chosen[:central], policy=policy, status=OrderStatus.IN_FACILITY,
                starts=days[:5], rooms=rooms, centralised_days=5, home_days=3)
    make_orders(chosen[central:], policy=policy, status=OrderStatus.AT_HOME,
                kind=OrderKind.HOME, reason=OrderReason.RISK_AREA, starts=days, home_days=7)
    orders: list[dict[str, Any]] = [dict(o) for o in QuarantineOrder.objects.filter(
        status__in=[OrderStatus.IN_FACILITY, OrderStatus.AT_HOME]).values(
        "pk", "kind", "starts_on", "facility_id", "district_id", "street_id", "community_id",
        "grid_id")]
    rules = rules_of(policy)
    with transaction.atomic():
        tests = _tests(orders, rules, day)
        checks, alerts = _checks(orders, day, rng)
    return people + len(rooms) + tests + checks + alerts


def _tests(orders: list[dict[str, Any]], rules: Any, day: dt.date) -> int:
    now = clock.now()
    close, home = rules.rule_for("close"), rules.rule_for("risk_area")
    rows = []
    for o in orders:
        rule = close if o["kind"] == OrderKind.CENTRALISED else home
        start, central = o["starts_on"], rule.centralised_days if o["facility_id"] else 0
        due = [("centralised", d, start + dt.timedelta(days=d - 1))
               for d in (rule.tests_centralised if central else ())]
        due += [("home", d, start + dt.timedelta(days=central + d - 1))
                for d in rule.tests_home]
        for phase, no, on in due:
            done = on < day
            rows.append((o["pk"], phase, no, on, now if done else None, now if done else None,
                         TestResult.NEGATIVE.value if done else TestResult.PENDING.value))
    return insert(ScheduledTest, ["order", "phase", "day_no", "due_on", "sampled_at",
                                  "resulted_at", "result"], rows)


def _checks(orders: list[dict[str, Any]], day: dt.date, rng: random.Random) -> tuple[int, int]:
    now = clock.now()
    yesterday = day - dt.timedelta(days=1)
    checks: list[tuple[Any, ...]] = []
    alerts: list[QuarantineAlert] = []
    for o in orders:
        for on, share in ((yesterday, CHECKED_YESTERDAY), (day, CHECKED_TODAY)):
            if on < o["starts_on"] or rng.random() >= share:
                continue
            fever, low = rng.random() < FEVER, rng.random() < LOW_MOOD
            checks.append((o["pk"], on, now, 2 if low else 4,
                           Decimal("37.8") if fever else Decimal("36.5"), [], False, ""))
            for kind, flag in ((AlertKind.FEVER, fever), (AlertKind.SUPPORT, low)):
                if flag:
                    alerts.append(QuarantineAlert(
                        kind=kind, at=now, order_id=o["pk"], facility_id=o["facility_id"],
                        district_id=o["district_id"], street_id=o["street_id"],
                        community_id=o["community_id"], grid_id=o["grid_id"]))
    insert(DailyCheck, ["order", "day", "at", "mood", "temperature", "symptoms",
                        "needs_support", "note"], checks)
    QuarantineAlert.objects.bulk_create(alerts, batch_size=BATCH)
    return len(checks), len(alerts)


def insert(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> int:
    """Plain INSERTs of many rows (a fixture: model instances would cost most of the time);
    each distinct value is prepared for the backend once, as the field would prepare it."""
    meta = [cast("Field[Any, Any]", model._meta.get_field(f)) for f in fields]
    prepared: dict[tuple[int, Any], Any] = {}

    def prep(i: int, v: Any) -> Any:
        if isinstance(v, int | str) or v is None:
            return v if not isinstance(v, bool) else meta[i].get_db_prep_save(v, connection)
        key = (i, repr(v))
        if key not in prepared:
            prepared[key] = meta[i].get_db_prep_save(v, connection)
        return prepared[key]

    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in meta)
    sql = (f"INSERT INTO {model._meta.db_table} ({columns}) "  # noqa: S608 - model names
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        for lo in range(0, len(rows), BATCH):
            cursor.executemany(sql, [tuple(prep(i, v) for i, v in enumerate(r))
                                     for r in rows[lo:lo + BATCH]])
    return len(rows)


def _cases(rng: random.Random) -> list[tuple[str, Callable[[], dict[str, int]]]]:
    city = AdminUnit.objects.get(level=Level.CITY)
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
    assert district is not None
    big = max(Facility.objects.filter(code__startswith="QB-"),
              key=lambda f: f.rooms.count())
    assert big.grid_id is not None
    staff_unit = AdminUnit.objects.get(pk=big.grid_id)
    clients = {
        "city": _client(make_user("bench-q-city", city, "quarantine_manager")),
        "district": _client(make_user("bench-q-district", district, "quarantine_manager")),
        "staff": _client(make_user("bench-q-staff", staff_unit, "quarantine_staff")),
    }
    home_city, home_district = _home_where(None), _home_where(district.pk)
    hotel = _hotel_where(big.pk)
    return [
        ("page: home orders, city manager", _page(clients["city"], {})),
        ("page: home orders, district manager", _page(clients["district"], {})),
        (f"page: largest hotel ({big.rooms.count()} people), city manager",
         _page(clients["city"], {"facility": big.pk})),
        ("page: largest hotel, its staff", _page(clients["staff"], {"facility": big.pk})),
        ("baseline: GROUP BY counts, home orders of the city", lambda: _baseline(home_city)),
        ("baseline: GROUP BY counts, home orders of a district",
         lambda: _baseline(home_district)),
        ("baseline: GROUP BY counts, largest hotel", lambda: _baseline(hotel)),
    ]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, params: dict[str, Any]) -> Callable[[], dict[str, int]]:
    def run() -> dict[str, int]:
        response = client.get("/quarantine/board/", params)
        assert response.status_code == 200, response.status_code
        return _kpis(response.content.decode())
    return run


def _kpis(html: str) -> dict[str, int]:
    """The six figures of the page, in the order the template shows them."""
    values = [int(v.replace(",", "")) for v in KPI.findall(html)]
    return dict(zip(("total", "checked", "missing", "fever", "support", "tests_due"), values,
                    strict=True))


def _home_where(district_id: int | None) -> tuple[str, list[Any]]:
    if district_id is None:
        return "o.status = %s", [OrderStatus.AT_HOME.value]
    return "o.status = %s AND o.district_id = %s", [OrderStatus.AT_HOME.value, district_id]


def _hotel_where(facility_id: int) -> tuple[str, list[Any]]:
    return "o.facility_id = %s AND o.status = %s", [facility_id, OrderStatus.IN_FACILITY.value]


def _baseline(where: tuple[str, list[Any]]) -> dict[str, int]:
    """The board's numbers as four plain aggregate queries over the same set of orders."""
    cond, params = where
    o, c = QuarantineOrder._meta.db_table, DailyCheck._meta.db_table
    a, t = QuarantineAlert._meta.db_table, ScheduledTest._meta.db_table
    day = today()
    # Table names come from the models and values go as parameters.
    sql = [
        (f"SELECT o.status, count(*) FROM {o} o WHERE {cond} "  # noqa: S608
         "GROUP BY o.status", params),
        (f"SELECT c.day, count(*) FROM {c} c JOIN {o} o ON o.id = c.order_id "  # noqa: S608
         f"WHERE {cond} AND c.day = %s GROUP BY c.day", [*params, day]),
        (f"SELECT a.kind, count(*) FROM {a} a JOIN {o} o ON o.id = a.order_id "  # noqa: S608
         f"WHERE {cond} AND a.resolved_at IS NULL GROUP BY a.kind", params),
        (f"SELECT t.result, count(*) FROM {t} t JOIN {o} o ON o.id = t.order_id "  # noqa: S608
         f"WHERE {cond} AND t.due_on = %s AND t.result = %s GROUP BY t.result",
         [*params, day, TestResult.PENDING.value]),
    ]
    found: list[dict[Any, int]] = []
    with connection.cursor() as cursor:
        for query, args in sql:
            cursor.execute(query, args)
            found.append(dict(cursor.fetchall()))
    total, checked = sum(found[0].values()), sum(found[1].values())
    return {"total": total, "checked": checked, "missing": total - checked,
            "fever": found[2].get(AlertKind.FEVER.value, 0),
            "support": found[2].get(AlertKind.SUPPORT.value, 0),
            "tests_due": sum(found[3].values())}


def _case(name: str, fn: Callable[[], dict[str, int]], repeat: int) -> dict[str, Any]:
    """Median and p95 of ``repeat`` runs after one untimed warm-up; SQL statements per run;
    the slowest statement of the last run with its plan."""
    counts = fn()
    times, queries, slowest = [], 0, ("", 0.0)
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            fn()
            times.append(time.perf_counter() - began)
        queries = len(captured.captured_queries)
        slowest = max(((q["sql"], float(q["time"])) for q in captured.captured_queries),
                      key=lambda q: q[1])
    median, p95 = summarize(times)
    print(f"  {name}: {median:.1f} ms median, {p95:.1f} ms p95, {queries} queries", flush=True)
    return {"case": name, "median_ms": median, "p95_ms": p95, "queries": queries,
            "counts": counts, "slowest_sql": slowest[0], "slowest_ms": slowest[1] * 1000,
            "plan": explain(slowest[0]) if name.startswith("page") else ""}


def explain(sql: str) -> str:
    """The plan of one captured statement (EXPLAIN ANALYZE on PostgreSQL)."""
    head = ("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite"
            else "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ")
    with connection.cursor() as cursor:
        cursor.execute(head + sql)
        return "\n".join(" | ".join(str(v) for v in row) for row in cursor.fetchall())
