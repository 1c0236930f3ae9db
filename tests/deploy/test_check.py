"""``fangkong check``: each check answers FAIL for the fault it looks for and OK without it;
the command exits 1 on any FAIL and its ``--json`` is what the lines say."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from fangkong.cli import checks
from fangkong.core.audit import record
from fangkong.core.audit_chain import do_seal
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AuditLog
from fangkong.healthcode.keys import do_generate_key
from tests.deploy.conftest import Deployment

ACTOR = Actor(user_id=None, username="deploy-test", unit=None, ip="127.0.0.1")
GOOD_SECRET = "q8Vd0sZr3nKxW1pLm7Yb2TfHc9Ue4Ji6Ao5Gs0Rk3Nw8Xy1Pz7Mv2Lq4Bt9Ch6Dj"


def test_secret_key_fails_unset_short_or_default_and_passes_from_env() -> None:
    with override_settings(SECRET_KEY=GOOD_SECRET):
        assert checks.check_secret_key(from_env=True, from_file=False).status == "OK"
        assert checks.check_secret_key(from_env=False, from_file=True).status == "WARN"
        assert checks.check_secret_key(from_env=False, from_file=False).status == "FAIL"
    for weak in ("dev-only-insecure-key-change-me-in-production", "short", "a" * 60):
        with override_settings(SECRET_KEY=weak):
            assert checks.check_secret_key(from_env=True, from_file=False).status == "FAIL"


def test_debug_hosts_and_https() -> None:
    with override_settings(DEBUG=True):
        assert checks.check_debug().status == "FAIL"
    assert checks.check_debug().status == "OK"
    with override_settings(ALLOWED_HOSTS=["*"]):
        assert checks.check_allowed_hosts().status == "FAIL"
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        assert checks.check_allowed_hosts().status == "WARN"
    with override_settings(ALLOWED_HOSTS=["fangkong.city.gov.cn"]):
        assert checks.check_allowed_hosts().status == "OK"
    secure = {"SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True,
              "CSRF_COOKIE_SECURE": True, "SECURE_HSTS_SECONDS": 3600,
              "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}
    with override_settings(**secure):
        assert checks.check_https().status == "OK"
    with override_settings(**{**secure, "CSRF_COOKIE_SECURE": False}):
        result = checks.check_https()
        assert result.status == "WARN" and "CSRF_COOKIE_SECURE" in result.detail


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_redis_configured_but_unreachable_fails() -> None:
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/4"):
        assert checks.check_redis().status == "FAIL"
    with override_settings(REDIS_URL=""):
        assert checks.check_redis().status == "WARN"


def test_redis_ping_speaks_the_protocol() -> None:
    try:
        reply = checks._redis_ping("redis://127.0.0.1:6379/4")
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    assert reply == "+PONG"


def test_java_needed_only_by_spark(monkeypatch: pytest.MonkeyPatch) -> None:
    assert checks.check_java().status == "OK"
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with override_settings(TRACE_ENGINE="spark"):
        assert checks.check_java().status == "FAIL"


def test_folders(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path / "missing", MOVEMENT_DIR=tmp_path / "m"):
        data, movement = checks.check_folders()
        assert (data.status, movement.status) == ("FAIL", "WARN")
    (tmp_path / "m" / "checkins").mkdir(parents=True)
    (tmp_path / "m" / "checkins" / "day=2022-05-01.parquet").write_bytes(b"")
    with override_settings(DATA_DIR=tmp_path, MOVEMENT_DIR=tmp_path / "m"):
        data, movement = checks.check_folders()
        assert (data.status, movement.status) == ("OK", "OK") and "1 check-in" in movement.detail


def test_time_zone() -> None:
    assert checks.check_time_zone().status == "OK"
    with override_settings(TIME_ZONE="Mars/Olympus_Mons"):
        assert checks.check_time_zone().status == "FAIL"


@pytest.mark.django_db
def test_unapplied_migration_fails() -> None:
    assert checks.check_migrations().status == "OK"
    MigrationRecorder.Migration.objects.filter(app="core", name="0002_audit_chain").delete()
    result = checks.check_migrations()
    assert result.status == "FAIL" and "core.0002_audit_chain" in result.detail


@pytest.mark.django_db
def test_signing_key_missing_or_locked_under_another_secret_fails() -> None:
    assert checks.check_signing_key().status == "FAIL"
    with override_settings(SECRET_KEY=GOOD_SECRET):
        do_generate_key()
    with override_settings(SECRET_KEY=GOOD_SECRET + "-changed"):
        result = checks.check_signing_key()
        assert result.status == "FAIL" and "--rotate" in result.hint
    with override_settings(SECRET_KEY=GOOD_SECRET):
        assert checks.check_signing_key().status == "OK"


@pytest.mark.django_db
def test_audit_chain_edited_row_fails() -> None:
    for n in range(3):
        record(actor=ACTOR, verb="deploy.test", target=None, target_type=f"t{n}",
               after={"n": n})
    do_seal()
    assert checks.check_audit_chain().status == "OK"
    AuditLog.objects.filter(target_type="t1").update(after={"n": 99})
    assert checks.check_audit_chain().status == "FAIL"


def test_command_exits_1_on_fail_and_its_json_agrees(tmp_path: Path) -> None:
    fresh = Deployment(data_dir=tmp_path, url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                       extra={"FANGKONG_DEBUG": "true"})
    done = fresh.fangkong("check", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    by_name = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is False
    assert by_name["migrations"]["status"] == "FAIL" and by_name["debug"]["status"] == "FAIL"
    assert by_name["secret key"]["status"] == "OK"  # the tests' deployments set one
    assert "health-code key" not in by_name  # its table does not exist yet
    text = fresh.fangkong("check")
    assert text.returncode == 1 and any(
        line.startswith("FAIL") and " debug " in line for line in text.stdout.splitlines())


def test_command_reports_a_configuration_that_cannot_start(tmp_path: Path) -> None:
    """Redis configured but unreachable: FAIL whether huey can load its client (the queue
    check) or not (the redis package missing: Django's set-up itself fails)."""
    broken = Deployment(data_dir=tmp_path, url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                        extra={"FANGKONG_REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/4"})
    done = broken.fangkong("check", "--json")
    assert done.returncode == 1, done.stderr
    failed = {c["name"] for c in json.loads(done.stdout)["checks"] if c["status"] == "FAIL"}
    assert failed & {"django setup", "job queue"}
