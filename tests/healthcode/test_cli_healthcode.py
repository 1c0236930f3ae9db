"""``fangkong healthcode``: keygen (and --rotate), issue, verify offline against a keys file
or the database (exit 0 valid, 1 invalid with the reason), recompute."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from fangkong.cli import main
from fangkong.healthcode import keys
from fangkong.healthcode.models import SigningKey
from tests.factories import City
from tests.healthcode.builders_tokens import make_code


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["healthcode", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_keygen_once_then_only_with_rotate(city: City, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "keygen")
    first = SigningKey.objects.get()
    assert code == 0 and first.kid in out and first.public_key in out
    code, _, err = _run(capsys, "keygen")
    assert code == 1 and "--rotate" in err and SigningKey.objects.count() == 1
    code, out, _ = _run(capsys, "keygen", "--rotate")
    first.refresh_from_db()
    assert code == 0 and first.retired_at is not None and f"retired     {first.kid}" in out
    assert keys.active_key().kid in out


def _issue(capsys: pytest.CaptureFixture[str], person_id: int) -> str:
    code, out, _ = _run(capsys, "issue", "--person", str(person_id))
    assert code == 0
    return out.splitlines()[0]


def test_issue_prints_the_token_and_its_fields(city: City,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    person = city.districts[0].persons[0]
    pc = make_code(person, colour="red", flags=("pool_hold",))
    code, _, err = _run(capsys, "issue", "--person", str(person.pk))
    assert code == 1 and "keygen" in err  # no key yet
    _run(capsys, "keygen")
    code, out, _ = _run(capsys, "issue", "--person", str(person.pk), "--qr")
    lines = out.splitlines()
    assert lines[0].startswith("FK1")
    assert "colour     red" in out and "flags      pool_hold" in out
    assert f"pseudonym  {pc.pseudonym}" in out and person.name not in out
    code, _, err = _run(capsys, "issue", "--person", "999999")
    assert code == 1 and "person" in err and "999999" in err


def test_verify_against_the_database_and_a_keys_file(
        city: City, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    person = city.districts[0].persons[0]
    make_code(person, colour="yellow")
    _run(capsys, "keygen")
    token = _issue(capsys, person.pk)
    code, out, _ = _run(capsys, "verify", token)
    assert code == 0 and out.startswith("valid") and "colour     yellow" in out
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keys.keys_document()))
    assert _run(capsys, "verify", token, "--keys", str(keys_file))[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    assert _run(capsys, "verify", "-", "--keys", str(keys_file))[0] == 0
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    code, out, _ = _run(capsys, "verify", token, "--keys", str(keys_file), "--at", later)
    assert code == 1 and out.startswith("invalid: expired")
    altered = token[:20] + ("Q" if token[20] != "Q" else "R") + token[21:]
    code, out, _ = _run(capsys, "verify", altered, "--keys", str(keys_file))
    assert code == 1 and out.splitlines()[0] in ("invalid: bad_signature", "invalid: malformed")
    assert _run(capsys, "verify", "FK1NOPE")[1] == "invalid: malformed\n"
    other_file = tmp_path / "other.json"
    other_file.write_text(json.dumps({"keys": []}))
    code, out, _ = _run(capsys, "verify", token, "--keys", str(other_file))
    assert code == 1 and out == "invalid: unknown_key\n"


def test_verify_reports_a_bad_keys_file_or_time(city: City, capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    code, _, err = _run(capsys, "verify", "FK1AAAA", "--keys", str(bad))
    assert code == 2 and "keys document" in err
    code, _, err = _run(capsys, "verify", "FK1AAAA", "--keys", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err
    code, _, err = _run(capsys, "verify", "FK1AAAA", "--at", "2022-04-01T08:00")
    assert code == 2 and "offset" in err


def test_recompute_runs_the_status_engine(city: City, capsys: pytest.CaptureFixture[str]) -> None:
    recompute = pytest.importorskip("fangkong.healthcode.recompute")
    if not hasattr(recompute, "run_recompute_all"):
        pytest.skip("the status engine has no run_recompute_all yet")
    code, out, _ = _run(capsys, "recompute")
    assert code == 0 and out.startswith("recomputed")
