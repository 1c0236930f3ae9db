"""``fangkong manage check --deploy``: clean for a production environment, and it names what
is missing in the development one (the demo's plain HTTP on 127.0.0.1)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "FANGKONG_SECRET_KEY": secrets.token_urlsafe(48),
    "FANGKONG_HTTPS": "true",
    "FANGKONG_ALLOWED_HOSTS": "fangkong.example.gov.cn",
    "FANGKONG_CSRF_TRUSTED_ORIGINS": "https://fangkong.example.gov.cn",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FANGKONG_", "DJANGO_"))}
    return {**env, "FANGKONG_DATA_DIR": str(tmp_path), **extra}


def _check(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args, "check", "--deploy"], env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_production_environment_is_clean(tmp_path: Path) -> None:
    done = _check(["-m", "fangkong.cli", "manage"], _env(tmp_path, **PRODUCTION))
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNINGS" not in done.stdout + done.stderr


def test_development_environment_reports_what_production_needs(tmp_path: Path) -> None:
    done = _check(["-m", "fangkong.cli", "manage"], _env(tmp_path))
    output = done.stdout + done.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output
    assert (tmp_path / "secret.key").is_file()  # the command's own key: no E001 here
    assert "fangkong.E001" not in output


def test_a_process_without_a_secret_fails_the_deploy_check(tmp_path: Path) -> None:
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="fangkong.settings",
               **{k: v for k, v in PRODUCTION.items() if k != "FANGKONG_SECRET_KEY"})
    done = _check(["-m", "django"], env)
    assert done.returncode == 1
    assert "fangkong.E001" in done.stderr and "FANGKONG_SECRET_KEY" in done.stderr
