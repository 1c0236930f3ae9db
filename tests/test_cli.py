"""The ``fangkong`` command: help lists subcommands; file commands act as a named user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fangkong.cli import main
from fangkong.registry.models import Person
from tests.factories import make_user, small_city


def test_help_lists_every_subcommand() -> None:
    out = subprocess.run([sys.executable, "-m", "fangkong.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("demo", "serve", "migrate", "synth", "createuser", "import", "export",
                    "purge", "worker"):
        assert command in out


HELP_THEN_MODULES = """
import sys
from fangkong.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(*sorted(sys.modules), sep="\\n", file=sys.stderr)
"""


def _modules_after_help() -> set[str]:
    run = subprocess.run([sys.executable, "-c", HELP_THEN_MODULES], capture_output=True,  # noqa: S603
                         text=True, check=True)
    assert "simulate" in run.stdout
    loaded = set(run.stderr.split())
    assert "fangkong.cli.simulate" in loaded  # the list is the one that matters
    return loaded


def test_help_imports_neither_numpy_nor_the_models() -> None:
    """Every command pays for building the command line: it must not import NumPy or the
    simulation models (whose parameters make ``simulate``'s flags: added on use)."""
    loaded = _modules_after_help()
    assert sorted(m for m in loaded
                  if m.split(".")[0] == "numpy" or m.startswith("fangkong.simulation")) == []


def test_help_does_not_import_django() -> None:
    assert sorted(m for m in _modules_after_help() if m.split(".")[0] == "django") == []


def test_simulate_lists_the_models_of_the_spec() -> None:
    from fangkong.cli.simulate import DEFAULT_RUNS, MODEL_HELP
    from fangkong.simulation import spec

    assert list(MODEL_HELP) == list(DEFAULT_RUNS) == list(spec.MODELS)


@pytest.mark.django_db
def test_import_refuses_bad_file_then_export_masks(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    city = small_city()
    make_user("o1", unit=city.districts[0].unit, roles=["district_officer"])
    bad = tmp_path / "p.csv"
    bad.write_text(f"name,sex,grid_code\n好,M,{city.districts[0].grids[0].code}\n坏,?,x\n")
    before = Person.objects.count()
    assert main(["import", "persons", str(bad), "--as", "o1"]) == 1
    assert Person.objects.count() == before
    assert "line 3" in capsys.readouterr().err
    assert main(["import", "persons", str(bad), "--as", "o1", "--partial"]) == 0
    assert Person.objects.count() == before + 1
    out = tmp_path / "out.csv"
    assert main(["export", "persons", "--as", "o1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "好" in text and city.districts[1].persons[0].name not in text
    assert city.districts[0].persons[0].phone not in text


@pytest.mark.django_db
def test_unknown_user_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "persons", "--as", "ghost", "--out", str(tmp_path / "x.csv")]) == 1
    assert "no user 'ghost'" in capsys.readouterr().err


def test_commands_keep_a_random_secret_in_the_data_dir(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fangkong.cli.commands import ensure_secret_key

    monkeypatch.delenv("FANGKONG_SECRET_KEY", raising=False)
    monkeypatch.setenv("FANGKONG_DATA_DIR", str(tmp_path))
    ensure_secret_key()
    first = os.environ["FANGKONG_SECRET_KEY"]
    assert len(first) >= 48 and (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv("FANGKONG_SECRET_KEY")
    ensure_secret_key()
    assert os.environ["FANGKONG_SECRET_KEY"] == first  # the same install keeps its secret
    monkeypatch.setenv("FANGKONG_SECRET_KEY", "set-by-the-operator")
    ensure_secret_key()
    assert os.environ["FANGKONG_SECRET_KEY"] == "set-by-the-operator"


def test_serve_trusts_only_the_named_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind nginx the forwarded scheme and address must reach Django (else a redirect loop
    under FANGKONG_HTTPS); with no proxy named, a client cannot forge them."""
    from fangkong.cli.commands import make_server

    monkeypatch.delenv("FANGKONG_TRUSTED_PROXY", raising=False)
    plain = make_server(host="127.0.0.1", port=0, threads=2)
    monkeypatch.setenv("FANGKONG_TRUSTED_PROXY", "127.0.0.1")
    behind = make_server(host="127.0.0.1", port=0, threads=2)
    try:
        assert plain.adj.trusted_proxy is None
        assert behind.adj.trusted_proxy == "127.0.0.1"
        assert {"x-forwarded-proto", "x-forwarded-for"} <= set(behind.adj.trusted_proxy_headers)
    finally:
        plain.close()
        behind.close()
