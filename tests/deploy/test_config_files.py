# ruff: noqa: S603, S607  (openssl and nginx, our own arguments)
"""The files in deploy/ stay true to the code: the env template names every ``FANGKONG_*``
variable the code reads, the units run commands that exist with options the servers accept,
and nginx accepts its configuration (where nginx is installed)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from waitress.adjustments import Adjustments

from fangkong.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def variables_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "fangkong").rglob("*.py"):
        found |= set(re.findall(r"\"(FANGKONG_[A-Z0-9_]+)\"", path.read_text(encoding="utf-8")))
    return found


def test_env_template_lists_every_variable() -> None:
    template = (DEPLOY / "fangkong.env.example").read_text()
    listed = set(re.findall(r"^#? ?(FANGKONG_[A-Z0-9_]+)=", template, flags=re.MULTILINE))
    in_code = variables_in_code()
    assert len(in_code) > 20
    assert in_code - listed == set()
    assert listed - in_code == set()  # nothing stale


def exec_lines(unit: str) -> list[list[str]]:
    text = (DEPLOY / "systemd" / unit).read_text().replace("\\\n", " ")
    return [shlex.split(line.split("=", 1)[1]) for line in text.splitlines()
            if line.startswith(("ExecStart=", "ExecStartPre="))]


@pytest.mark.parametrize("unit", ["fangkong-web.service", "fangkong-worker.service",
                                  "fangkong-backup.service"])
def test_units_run_commands_that_exist(unit: str) -> None:
    for argv in exec_lines(unit):
        program, args = Path(argv[0]).name, argv[1:]
        if program == "fangkong":
            parsed = build_parser().parse_args(args)
            assert hasattr(parsed, "handler")
        else:
            assert program == "waitress-serve"
            kw, app = Adjustments.parse_args(args)
            assert not kw.pop("help") and not kw.pop("call")  # as waitress-serve does
            adj = Adjustments(**kw)
            assert app == ["fangkong.wsgi:application"]
            assert adj.trusted_proxy == "127.0.0.1"
            assert "x-forwarded-proto" in adj.trusted_proxy_headers


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx")
    if nginx is None:
        pytest.skip("nginx is not installed")
    conf = tmp_path / "nginx.conf"
    site = (DEPLOY / "nginx" / "fangkong.conf").read_text()
    for path in re.findall(r"ssl_certificate(?:_key)?\s+(\S+);", site):
        site = site.replace(path, str(tmp_path / Path(path).name))
    (tmp_path / "site.conf").write_text(site)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=test", "-keyout", str(tmp_path / "privkey.pem"),
                    "-out", str(tmp_path / "fullchain.pem")], check=True, capture_output=True)
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n")
    done = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
