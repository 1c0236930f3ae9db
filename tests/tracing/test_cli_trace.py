"""``fangkong trace contacts`` end to end on a small synthetic city: both engines agree, CSV
output carries the city's offset, bad settings are one ``error:`` line, and neither the
command nor the engines need Django."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fangkong.cli import main
from fangkong.synth.generate import generate_city

AS_OF = "2022-05-06T00:00:00+08:00"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(out=out, residents=2000, seed=11, days=5, outbreak_seeds=3, progress=False)
    return out


def args(city: Path, out: Path, *extra: str) -> list[str]:
    return ["trace", "contacts", "--checkins", str(city / "checkins"), "--cases",
            str(city / "cases.csv"), "--pings", str(city / "pings"), "--households",
            str(city / "households.parquet"), "--out", str(out), "--as-of", AS_OF, *extra]


def test_both_engines_agree_on_a_synthetic_city(city: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args(city, tmp_path / "duckdb.parquet")) == 0
    summary = capsys.readouterr().out
    assert "(duckdb)" in summary and "close      venue" in summary
    assert main(args(city, tmp_path / "reference.parquet", "--engine", "reference")) == 0
    fast, slow = (pq.read_table(tmp_path / f"{e}.parquet") for e in ("duckdb", "reference"))
    assert fast.num_rows > 0
    assert fast.to_pylist() == slow.to_pylist()


def test_some_cases_to_csv_with_local_offsets(city: Path, tmp_path: Path) -> None:
    cases = pq.read_table(city / "cases.parquet").column("case_id").to_pylist()
    assert main(args(city, tmp_path / "all.parquet")) == 0
    assert main(args(city, tmp_path / "some.csv", "--case", str(cases[0]), "--case",
                     str(cases[-1]))) == 0
    with (tmp_path / "some.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    every = pq.read_table(tmp_path / "all.parquet").to_pylist()
    assert len(rows) == sum(r["index_case_id"] in {cases[0], cases[-1]} for r in every)
    assert rows and all(r["first_exposure"].endswith("+08:00") for r in rows)


@pytest.mark.parametrize(("extra", "message"), [
    (["--as-of", "2022-05-06T00:00:00"], "error: --as-of 2022-05-06T00:00:00: needs an offset"),
    (["--policy", "{policy}"], "error: unknown contact policy settings: speed"),
    (["--engine", "reference", "--cases", "{missing}"],
     "error: {missing}: no such file or folder"),
])
def test_bad_settings_are_one_error_line(city: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str],
                                         extra: list[str], message: str) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"speed": 3}), encoding="utf-8")
    filled = [e.format(policy=policy, missing=tmp_path / "missing.csv") for e in extra]
    out = tmp_path / "contacts.parquet"
    assert main(args(city, out, *filled)) == 1
    assert capsys.readouterr().err.startswith(message.format(missing=tmp_path / "missing.csv"))
    assert not out.exists()


def test_no_django_needed(city: Path, tmp_path: Path) -> None:
    """A fresh interpreter runs the command (one case, unknown: checks only) without
    importing Django."""
    code = ("import sys; from fangkong.cli import main; "
            f"rc = main({args(city, tmp_path / 'c.parquet', '--case', '999')!r}); "
            "sys.exit(rc or 3 * any(m == 'django' for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                          check=False, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
