"""``fangkong simulate``: JSON on stdout with no database, the flags made from the params
dataclasses, the same seed giving the same JSON, a bad flag value named, --out, and the
progress bar on stderr only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fangkong.cli import main
from fangkong.simulation import spec


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["simulate", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def test_branching_json_is_reproducible_and_follows_the_flags(
        capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("branching", "--traced", "0.8", "--runs", "120", "--seed", "1", "--cap-days", "140",
            "--quarantine", "--quiet")
    code, first, err = _run(capsys, *argv)
    assert code == 0 and err == ""
    assert first["params"]["traced"] == 0.8 and first["params"]["quarantine"] is True
    assert first["params"]["r0"] == 2.5  # the model's default
    assert first["result"]["summary"]["controlled"]["n"] == 120
    assert first["result"]["steps"] == 140 // 7 + 1
    _, again, _ = _run(capsys, *argv)
    assert again["result"] == first["result"]
    _, other, _ = _run(capsys, *argv[:-2], "--seed", "2", "--quiet")
    assert other["result"] != first["result"]


def test_every_dataclass_field_has_a_flag(capsys: pytest.CaptureFixture[str]) -> None:
    for model in spec.MODELS:
        with pytest.raises(SystemExit):
            main(["simulate", model, "--help"])
        text = capsys.readouterr().out
        for f in spec.fields_of(model):
            assert "--" + f.name.replace("_", "-") in text


def test_a_bad_value_names_its_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "branching", "--traced", "1.5", "--quiet")
    assert code == 1 and "--traced" in err and "between 0 and 1" in err
    code, _, err = _run(capsys, "agents", "--residents", "1000", "--pool-size", "0", "--quiet")
    assert code == 1 and "--pool-size" in err


def test_agents_on_a_synthetic_city_with_out_and_progress(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "agents.json"
    code, data, err = _run(capsys, "agents", "--residents", "3000", "--runs", "2", "--days",
                           "20", "--trace-coverage", "0.8", "--seed", "4", "--out", str(target))
    assert code == 0 and "run" in err  # the tqdm bar went to stderr
    assert data["result"]["population"] == 3000 and data["result"]["steps"] == 20
    assert set(data["result"]["series"]) >= {"new_infections", "in_quarantine", "tests"}
    assert json.loads(target.read_text(encoding="utf-8")) == data
