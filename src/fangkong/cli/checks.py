"""The checks of ``fangkong check``: each looks at one part of a deployment and answers OK,
WARN or FAIL with what it saw and, when not OK, what to do. They read the settings with
defaults, so an older settings module still gets an answer rather than a crash."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

OK, WARN, FAIL = "OK", "WARN", "FAIL"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1"}
CLOCK_SKEW_S = 5.0  # health codes allow 60 s; the server clocks should agree far better


@dataclass(frozen=True)
class Result:
    name: str
    status: str
    detail: str
    hint: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def django_checks() -> list[Result]:
    """Django's system checks with the deployment checklist (``check --deploy``): errors
    FAIL, warnings WARN, each message one line; silenced ids stay silent."""
    from django.core import checks

    messages = [m for m in checks.run_checks(include_deployment_checks=True)
                if not m.is_silenced() and m.level >= checks.WARNING]
    if not messages:
        return [Result("django", OK, "system checks with --deploy: no issues")]
    return [Result(f"django {m.id}", FAIL if m.level >= checks.ERROR else WARN,
                   str(m.msg), m.hint or "") for m in messages]


def check_database() -> Result:
    from django.db import connection

    connection.ensure_connection()
    s = connection.settings_dict
    where = s["NAME"] if connection.vendor == "sqlite" else \
        f"{s.get('HOST') or 'socket'}:{s.get('PORT') or 5432}/{s['NAME']}"
    pg = int(getattr(connection, "pg_version", 0))
    version = sqlite3.sqlite_version if connection.vendor == "sqlite" \
        else f"{pg // 10000}.{pg % 10000}"
    hint = "" if connection.vendor == "postgresql" else \
        "production runs on PostgreSQL (FANGKONG_DATABASE_URL=postgresql://...)"
    return Result("database", OK if not hint else WARN,
                  f"{connection.vendor} {version} reachable at {where}", hint)


def check_migrations() -> Result:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return Result("migrations", OK, "all applied")
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:3])
    more = "…" if len(plan) > 3 else ""
    return Result("migrations", FAIL, f"{len(plan)} not applied ({names}{more})",
                  "run `fangkong migrate` (after a backup) before starting the app")


def check_secret_key(*, from_env: bool, from_file: bool) -> Result:
    """``from_env``: the operator set FANGKONG_SECRET_KEY; ``from_file``: the commands' random
    key in the data dir, which a WSGI server started without the variable does not read."""
    key = str(settings.SECRET_KEY)
    if from_env and len(key) >= 50 and len(set(key)) >= 5 and "insecure" not in key:
        return Result("secret key", OK, f"from FANGKONG_SECRET_KEY ({len(key)} characters)")
    hint = "set FANGKONG_SECRET_KEY (50+ random characters, e.g. `python -c 'import secrets; " \
           "print(secrets.token_urlsafe(50))'`), the same for web, worker and commands"
    if from_env:
        return Result("secret key", FAIL, "FANGKONG_SECRET_KEY is short or a known default", hint)
    if from_file:
        return Result("secret key", WARN, "not set: the `fangkong` commands use "
                      "$FANGKONG_DATA_DIR/secret.key, a WSGI/ASGI server would not", hint)
    return Result("secret key", FAIL, "FANGKONG_SECRET_KEY is not set", hint)


def check_debug() -> Result:
    if settings.DEBUG:
        return Result("debug", FAIL, "DEBUG is on: error pages show settings and data",
                      "unset FANGKONG_DEBUG")
    return Result("debug", OK, "off")


def check_allowed_hosts() -> Result:
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if "*" in hosts or any(h.startswith("*") for h in hosts):
        return Result("allowed hosts", FAIL, f"wildcard in {hosts}",
                      "set FANGKONG_ALLOWED_HOSTS to the site's own host names")
    if set(hosts) <= LOCAL_HOSTS:
        return Result("allowed hosts", WARN, f"local names only: {hosts}",
                      "add the public host name to FANGKONG_ALLOWED_HOSTS")
    return Result("allowed hosts", OK, ", ".join(hosts))


def check_https() -> Result:
    wanted = {"SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True,
              "CSRF_COOKIE_SECURE": True}
    missing = [k for k, v in wanted.items() if getattr(settings, k, False) != v]
    missing += [] if getattr(settings, "SECURE_HSTS_SECONDS", 0) else ["SECURE_HSTS_SECONDS"]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None:
        missing.append("SECURE_PROXY_SSL_HEADER")
    if not missing:
        return Result("https", OK, "redirect, secure cookies, HSTS, proxy header")
    return Result("https", WARN, f"off: {', '.join(missing)}",
                  "behind the TLS proxy set FANGKONG_HTTPS=true (docs/deployment.md)")


def _redis_ping(url: str) -> str:
    """PING over the Redis protocol (AUTH first when the URL has a password); the reply."""
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379),
                                  timeout=3) as sock:
        if parsed.password:
            user = [unquote(parsed.username)] if parsed.username else []
            words = ["AUTH", *user, unquote(parsed.password)]
            sock.sendall((f"*{len(words)}\r\n" + "".join(
                f"${len(w.encode())}\r\n{w}\r\n" for w in words)).encode())
            sock.recv(256)
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        return sock.recv(256).decode(errors="replace").strip()


def check_redis() -> Result:
    url = str(getattr(settings, "REDIS_URL", "") or "")
    if not url:
        return Result("job queue", WARN, "SQLite queue in the data dir (one machine only)",
                      "set FANGKONG_REDIS_URL=redis://host:6379/0 for a web and a worker "
                      "on separate machines")
    try:
        import redis  # noqa: F401  (huey's RedisHuey needs it)
    except ImportError:
        return Result("job queue", FAIL, "FANGKONG_REDIS_URL is set but the redis package is "
                      "not installed", "install the `redis` Python package")
    try:
        reply = _redis_ping(url)
    except OSError as exc:
        return Result("job queue", FAIL, f"Redis at {urlparse(url).hostname}: {exc}",
                      "start Redis or correct FANGKONG_REDIS_URL")
    if reply != "+PONG":
        return Result("job queue", FAIL, f"Redis answered {reply!r}",
                      "check the password in FANGKONG_REDIS_URL")
    return Result("job queue", OK, f"Redis at {urlparse(url).hostname} answers PING")


def check_worker() -> Result:
    """No heartbeat exists: a waiting queue is the one sign of a stopped worker."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return Result("worker", WARN, "jobs run inside requests (FANGKONG_JOBS_IMMEDIATE)",
                      "unset FANGKONG_JOBS_IMMEDIATE and run `fangkong worker`")
    waiting = HUEY.pending_count()
    if waiting:
        return Result("worker", WARN, f"{waiting} jobs waiting; whether a worker runs cannot "
                      "be read (no heartbeat)", "check `systemctl status fangkong-worker`")
    return Result("worker", OK, "no jobs waiting (no heartbeat: liveness not read)")


def check_folders() -> list[Result]:
    data = Path(settings.DATA_DIR)
    movement = Path(getattr(settings, "MOVEMENT_DIR", data / "movement"))
    writable = data.is_dir() and os.access(data, os.W_OK | os.X_OK)
    out = [Result("data dir", OK if writable else FAIL, f"{data} "
                  + ("writable" if writable else "missing or not writable"),
                  "" if writable else "create it, owned by the service user (mode 700)")]
    if (movement / "checkins").is_dir():
        days = len(list((movement / "checkins").glob("*.parquet")))
        out.append(Result("movement dir", OK, f"{movement}: {days} check-in files"))
    else:
        out.append(Result("movement dir", WARN, f"{movement}: no checkins/ folder",
                          "contact detection refuses until movement data is loaded there "
                          "(FANGKONG_MOVEMENT_DIR)"))
    return out


def check_signing_key() -> Result:
    from fangkong.core.errors import DomainError
    from fangkong.healthcode.keys import private_key_of
    from fangkong.healthcode.models import SigningKey

    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
    if key is None:
        return Result("health-code key", FAIL, "no active signing key",
                      "run `fangkong healthcode keygen`")
    try:
        private_key_of(key)
    except DomainError:
        return Result("health-code key", FAIL, f"key {key.kid} cannot be unlocked with this "
                      "secret key", "restore the old FANGKONG_SECRET_KEY, or run "
                      "`fangkong healthcode keygen --rotate`")
    return Result("health-code key", OK, f"{key.kid} active and unlocked")


def check_java() -> Result:
    engine = str(getattr(settings, "TRACE_ENGINE", "duckdb"))
    if engine != "spark":
        return Result("java", OK, f"not needed (trace engine {engine})")
    home = os.environ.get("JAVA_HOME", "")
    java = shutil.which("java") or (home and shutil.which("java", path=f"{home}/bin"))
    if not java:
        return Result("java", FAIL, "the Spark trace engine needs Java; none found",
                      "install a JRE 17 (Debian: default-jre-headless) or set JAVA_HOME")
    return Result("java", OK, f"{java} (trace engine spark)")


def check_time_zone() -> Result:
    """The city's zone must exist; on PostgreSQL the server's clock must agree with ours."""
    from django.db import connection

    try:
        zone = ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return Result("time zone", FAIL, f"unknown zone {settings.TIME_ZONE!r}",
                      "set FANGKONG_TIME_ZONE to an IANA name such as Asia/Shanghai")
    now = dt.datetime.now(zone)
    detail = f"{settings.TIME_ZONE}, now {now:%Y-%m-%d %H:%M %z}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            skew = abs((cursor.fetchone()[0] - dt.datetime.now(dt.UTC)).total_seconds())
        if skew > CLOCK_SKEW_S:
            return Result("time zone", WARN, f"{detail}; the database clock is {skew:.0f} s "
                          "off", "run NTP (chrony) on the app and database machines")
        detail += f"; database clock within {skew:.1f} s"
    return Result("time zone", OK, detail)


def check_audit_chain() -> Result:
    from fangkong.core.audit_chain import check_chain

    report = check_chain(limit=5)
    if report.ok:
        return Result("audit chain", OK, f"{report.sealed:,} sealed rows intact, "
                      f"{report.unsealed:,} waiting to be sealed")
    first = report.findings[0]
    return Result("audit chain", FAIL, f"{len(report.findings)} findings, first: {first.kind} "
                  f"(row {first.row_id}, seq {first.seq}): {first.detail}",
                  "investigate: `fangkong audit verify` lists them")


def guarded(name: str, check: Callable[[], Any]) -> list[Result]:
    """One check's results; an exception becomes its FAIL line."""
    try:
        out = check()
    except Exception as exc:  # a check must report, never stop the others
        return [Result(name, FAIL, f"{type(exc).__name__}: {exc}".strip()[:300])]
    return out if isinstance(out, list) else [out]


def run_all(*, from_env: bool, from_file: bool) -> list[Result]:
    """Every check in order; those needing the database are skipped when it is unreachable."""
    results = guarded("database", check_database)
    db_ok = results[0].status != FAIL
    results += guarded("django", django_checks)
    results += [*guarded("secret key", lambda: check_secret_key(from_env=from_env,
                                                                 from_file=from_file)),
                *guarded("debug", check_debug), *guarded("allowed hosts", check_allowed_hosts),
                *guarded("https", check_https), *guarded("job queue", check_redis),
                *guarded("worker", check_worker), *guarded("folders", check_folders),
                *guarded("java", check_java)]
    applied = guarded("migrations", check_migrations) if db_ok else []
    results += applied + (guarded("time zone", check_time_zone) if db_ok else [])
    if applied and applied[0].status == OK:  # the tables the last two read exist
        results += guarded("health-code key", check_signing_key)
        results += guarded("audit chain", check_audit_chain)
    return results
