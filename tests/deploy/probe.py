"""Run in a child process against the database of ``FANGKONG_DATABASE_URL`` (the tests'
own database must stay out of it): ``python -m tests.deploy.probe populate|answers|write``.

``populate`` fills a migrated database with a small city, a user and a signing key.
``answers`` logs in through the login page, asks for a page and an API call, and prints the
status codes, the pending migrations and the row counts as JSON. ``write STOP_FILE`` creates
users in batches of ``BATCH``, one transaction each, until STOP_FILE exists, printing the
number of batches committed: a consistent copy holds whole batches only.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

USER, PASSWORD = "probe_officer", "probe-password-1"
BATCH = 10


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    from fangkong.cli.commands import setup_django

    setup_django()


def populate() -> None:
    from fangkong.healthcode.keys import do_generate_key
    from tests.factories import make_user, small_city

    city = small_city()
    make_user(USER, unit=city.districts[0].unit, roles=["district_officer"], password=PASSWORD)
    do_generate_key()


def answers() -> dict[str, object]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client

    from fangkong.cli.backup_db import current_counts

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login = client.post("/login/", {"username": USER, "password": PASSWORD})
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"login": login.status_code, "login_to": login.get("Location", ""),
            "page": client.get("/").status_code,
            "api": client.get("/api/v1/registry/persons").status_code,
            "pending_migrations": len(pending), "counts": current_counts(),
            "batch_sizes": batch_sizes()}


def batch_sizes() -> list[int]:
    """The distinct sizes of the writer's batches (``[BATCH]`` when every batch is whole)."""
    from collections import Counter

    from django.contrib.auth.models import User

    names = User.objects.filter(username__startswith="w").values_list("username", flat=True)
    return sorted(set(Counter(n.split("_")[0] for n in names).values()))


def write(stop: Path) -> int:
    from django.contrib.auth.models import User
    from django.db import transaction

    batches = 0
    while not stop.exists():
        with transaction.atomic():
            User.objects.bulk_create(User(username=f"w{batches}_{i}") for i in range(BATCH))
        batches += 1
        stop.with_suffix(".started").touch()
        time.sleep(0.002)
    return batches


def main() -> None:
    _setup()
    if sys.argv[1] == "populate":
        populate()
    elif sys.argv[1] == "answers":
        print(json.dumps(answers()))
    else:
        print(write(Path(sys.argv[2])))


if __name__ == "__main__":
    main()
