"""The timed cases of bench_registry.py; runs inside a configured Django process."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fangkong.core.jurisdiction import actor_for, scope
from fangkong.core.models import AdminUnit, Level, Profile
from fangkong.registry.models import Person
from fangkong.registry.queries import search_persons

Case = Callable[[random.Random], Any]


def _user(name: str, unit: AdminUnit, role: str) -> User:
    user = User.objects.create_user(name, password="bench-only")
    Profile.objects.create(user=user, unit=unit, roles=[role])
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sample(rng: random.Random, n: int) -> list[Person]:
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = [rng.randint(1, top) for _ in range(n)]
    return list(Person.objects.filter(pk__in=ids))


def _time(case: Case, *, repeat: int, seed: int) -> tuple[list[float], int]:
    rng = random.Random(seed)
    case(rng)  # warm caches once, untimed
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            case(rng)
            times.append(time.perf_counter() - began)
        queries = max(queries, len(captured.captured_queries))
    return times, queries


def _page(client: Client, url: str, params: dict[str, Any] | None = None) -> None:
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)


def build_cases() -> list[tuple[str, Case, str]]:
    rng = random.Random(7)
    people = _sample(rng, 400)
    district = AdminUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
    city = AdminUnit.objects.get(level=Level.CITY)
    assert district is not None
    local = [p for p in people if p.district_id == district.pk] or people
    officer = _client(_user("bench-officer", district, "district_officer"))
    admin_user = _user("bench-admin", city, "city_admin")
    admin = _client(admin_user)
    admin_actor = actor_for(admin_user)
    total = Person.objects.count()
    deep_after = Person.objects.order_by("pk").values_list("pk", flat=True)[int(total * 0.9)]
    deep_page = int(total * 0.9) // 50 + 1

    def pick(r: random.Random, pool: list[Person] = local) -> Person:
        return r.choice(pool)

    return [
        ("grid → buildings page", lambda r: _page(admin, f"/grids/{pick(r).grid_id}/buildings"),
         "web page, city admin"),
        ("household → members", lambda r: _page(admin, f"/households/{pick(r).household_id}/"),
         "web page"),
        ("person detail (masked)", lambda r: _page(officer, f"/persons/{pick(r).pk}/"),
         "web page, district officer"),
        ("search: name prefix", lambda r: _page(officer, "/persons/", {"q": pick(r).name[:2]}),
         "web page, district officer"),
        ("search: full name", lambda r: _page(officer, "/persons/", {"q": pick(r).name}),
         "web page, district officer"),
        ("search: phone last 4", lambda r: _page(officer, "/persons/",
                                                 {"q": pick(r).phone[-4:]}), "web page"),
        ("search: full ID number", lambda r: _page(officer, "/persons/",
                                                   {"q": pick(r).id_number}), "web page"),
        ("search: masked phone 138****5678", lambda r: _page(
            officer, "/persons/", {"q": _masked(pick(r).phone)}), "web page"),
        ("persons list, page at 90 % (keyset)", lambda r: _page(
            admin, "/persons/", {"after": deep_after}), "web page, city admin"),
        ("query only: page at 90 %, keyset", lambda r: search_persons(
            actor=admin_actor, term="", after=deep_after).items, "ours"),
        ("query only: page at 90 %, COUNT + OFFSET", lambda r: list(Paginator(
            scope(Person.objects.order_by("pk"), admin_actor), 50).page(deep_page)),
         "baseline (Django Paginator)"),
        ("query only: page 1, COUNT + OFFSET", lambda r: list(Paginator(
            scope(Person.objects.order_by("pk"), admin_actor), 50).page(1)),
         "baseline (Django Paginator)"),
    ]


def _masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def run_cases(*, backend: str, repeat: int) -> list[dict[str, Any]]:
    from benchmarks.bench_registry import summarize

    rows = []
    for i, (name, case, note) in enumerate(build_cases()):
        times, queries = _time(case, repeat=repeat, seed=i)
        median, p95 = summarize(times)
        rows.append({"backend": backend, "case": name, "median_ms": median, "p95_ms": p95,
                     "queries": queries, "note": note})
        print(f"{backend:<10} {name:<42} {median:8.1f} {p95:8.1f} ms  {queries} q", flush=True)
    return rows
