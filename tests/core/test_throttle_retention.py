"""Login throttling and the retention purge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from fangkong.core import clock
from fangkong.core.models import AuditLog
from fangkong.core.retention import run_purge
from fangkong.core.throttle import clear_failures, is_locked_out, note_failure
from fangkong.registry.models import Person
from tests.factories import small_city

pytestmark = pytest.mark.django_db


@override_settings(LOGIN_MAX_FAILURES=5)
def test_lockout_after_max_failures_per_name_case_insensitive() -> None:
    for _ in range(4):
        note_failure(username="Admin", ip="10.0.0.1")
    assert not is_locked_out(username="admin", ip="10.0.0.9")
    note_failure(username="ADMIN", ip="10.0.0.1")
    assert is_locked_out(username="admin", ip="10.0.0.9")
    assert not is_locked_out(username="other", ip="10.0.0.9")
    clear_failures(username="admin")
    assert not is_locked_out(username="admin", ip="10.0.0.9")


@override_settings(LOGIN_MAX_FAILURES=2)
def test_lockout_per_address_is_looser() -> None:
    for i in range(7):
        note_failure(username=f"user{i}", ip="10.0.0.1")
    assert not is_locked_out(username="fresh", ip="10.0.0.1")
    note_failure(username="user8", ip="10.0.0.1")
    assert is_locked_out(username="fresh", ip="10.0.0.1")


def test_purge_blanks_only_people_inactive_past_retention() -> None:
    persons = small_city().districts[0].persons
    today = clock.now().date()
    Person.objects.filter(pk=persons[0].pk).update(inactive_since=today - dt.timedelta(days=400))
    Person.objects.filter(pk=persons[1].pk).update(inactive_since=today - dt.timedelta(days=10))
    assert run_purge(retention_days=180) == {"registry.persons": 1}
    old, recent, active = (Person.objects.get(pk=p.pk) for p in persons[:3])
    assert old.purged and old.id_number is None and old.phone == "" and old.name == ""
    assert not recent.purged and recent.id_number and not active.purged
    assert AuditLog.objects.filter(verb="retention.purge").count() == 1
    assert run_purge(retention_days=180) == {"registry.persons": 0}


def test_purge_refuses_nonsense_retention() -> None:
    with pytest.raises(ValueError):
        run_purge(retention_days=0)


def test_the_worker_registers_the_audit_seal() -> None:
    """Huey's worker imports only the apps' ``tasks`` modules: the seal must be reachable from
    one, or the audit log is never sealed in production (checked in a fresh interpreter, where
    nothing else has imported audit_tasks)."""
    import os
    import subprocess
    import sys

    code = ("import django; django.setup(); import importlib; "
            "importlib.import_module('fangkong.core.tasks'); "
            "from huey.contrib.djhuey import HUEY; "
            "print(sorted(t.name for t in HUEY._registry.periodic_tasks))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                         check=True, env={**os.environ,
                                          "DJANGO_SETTINGS_MODULE": "tests.settings"})
    assert "seal_audit_log" in out.stdout
