"""``fangkong audit seal|verify`` and the periodic seal."""

from __future__ import annotations

import argparse

import pytest

from fangkong.cli.audit import add_audit_parser
from fangkong.core.audit import record
from fangkong.core.audit_tasks import seal_audit_log
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AuditCheckpoint, AuditLog

pytestmark = pytest.mark.django_db
ACTOR = Actor(user_id=None, username="tester", unit=None)


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_audit_parser(parser.add_subparsers())
    args = parser.parse_args(["audit", *argv])
    return int(args.handler(args))


def _write(n: int) -> None:
    for i in range(n):
        record(actor=ACTOR, verb="thing.change", target=None, target_type="x", after={"i": i})


def test_seal_prints_the_head_and_verify_accepts_it(capsys: pytest.CaptureFixture[str]) -> None:
    _write(3)
    assert _run("seal") == 0
    head = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    assert head == f"3:{AuditCheckpoint.objects.get().link}"
    assert _run("verify", "--head", head) == 0
    assert "3 sealed and 0 unsealed rows checked; 0 findings" in capsys.readouterr().out
    assert _run("verify", "--head", "3:short") == 2


def test_verify_lists_the_broken_rows(capsys: pytest.CaptureFixture[str]) -> None:
    _write(4)
    _run("seal")
    second = AuditLog.objects.get(seq=2)
    AuditLog.objects.filter(pk=second.pk).update(actor_name="someone else")
    AuditLog.objects.filter(seq=3).delete()
    capsys.readouterr()
    assert _run("verify") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"edited: row {second.pk} seq 2")
    assert out[1].startswith("deleted: row ") and "seq 4" in out[1]


def test_the_periodic_seal_chains_new_rows() -> None:
    _write(2)
    assert seal_audit_log.call_local() == 2
    assert seal_audit_log.call_local() == 0
    assert list(AuditLog.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
