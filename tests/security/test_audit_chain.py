"""The audit log's hash chain: honest rows verify; an edited, deleted or forged row, or a
deleted tail, is found and named."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from fangkong.core import audit_chain
from fangkong.core.audit import audit_row, record, record_many
from fangkong.core.jurisdiction import Actor
from fangkong.core.models import AuditLog

pytestmark = pytest.mark.django_db
ACTOR = Actor(user_id=None, username="tester", unit=None, ip="2001:db8::0001")


def _write(n: int, *, verb: str = "thing.change") -> None:
    int_key: dict[Any, Any] = {3: "an int key comes back a string"}
    record_many([audit_row(actor=ACTOR, verb=verb, target=None, target_type="x.thing",
                           before={"n": i, "big": 1e20, "k": int_key},
                           after={"n": i + 1, "名": "张三", "f": 0.1})
                 for i in range(n)])


def _sealed(n: int) -> list[AuditLog]:
    _write(n)
    audit_chain.do_seal(batch=4)
    return list(AuditLog.objects.order_by("seq"))


def _kinds(report: audit_chain.Report) -> list[tuple[str, int | None]]:
    return [(f.kind, f.row_id) for f in report.findings]


def test_honest_rows_verify_sealed_and_unsealed() -> None:
    rows = _sealed(10)
    record(actor=ACTOR, verb="late", target=None, target_type="x.thing", after={"k": [1, 2]})
    report = audit_chain.check_chain(batch=3)
    assert report.ok, report.findings
    assert (report.sealed, report.unsealed) == (10, 1)
    assert [r.seq for r in rows] == list(range(1, 11))


def test_an_unsealed_row_completed_by_the_app_stays_valid_a_sealed_one_is_final() -> None:
    """testing/ingest.py places its row after writing it, in the same transaction."""
    row = record(actor=ACTOR, verb="screening.scan_batch", target=None, target_type="x")
    row.target_id = "42"
    row.save(update_fields=["target_id"])
    assert audit_chain.check_chain().ok
    audit_chain.do_seal()
    row.refresh_from_db()
    row.target_id = "43"
    with pytest.raises(ValueError, match="sealed"):
        row.save(update_fields=["target_id"])


def test_seal_continues_the_chain_and_prints_its_head() -> None:
    _sealed(5)
    _write(3)
    result = audit_chain.do_seal()
    last = AuditLog.objects.get(seq=8)
    assert (result.sealed, result.head_seq, result.head_link) == (3, 8, last.link)
    assert audit_chain.check_chain(head=(8, last.link)).ok
    assert _kinds(audit_chain.check_chain(head=(8, "0" * 64))) == [("head", None)]
    assert _kinds(audit_chain.check_chain(head=(9, last.link))) == [("head", None)]


@pytest.mark.parametrize("change", [
    {"after": {"n": 99}}, {"verb": "thing.delete"}, {"actor_name": "someone"},
    {"ip": "10.0.0.1"}, {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, {"target_id": "7"},
])
def test_an_edited_sealed_row_is_named(change: dict[str, object]) -> None:
    rows = _sealed(6)
    AuditLog.objects.filter(pk=rows[2].pk).update(**change)
    assert _kinds(audit_chain.check_chain()) == [("edited", rows[2].pk)]


def test_an_edited_unsealed_row_is_named() -> None:
    _write(3)
    row = AuditLog.objects.order_by("id")[1]
    AuditLog.objects.filter(pk=row.pk).update(after={"n": -1})
    assert _kinds(audit_chain.check_chain()) == [("forged", row.pk)]


def test_a_deleted_middle_row_is_found_at_the_next_row() -> None:
    rows = _sealed(6)
    AuditLog.objects.filter(pk=rows[3].pk).delete()
    report = audit_chain.check_chain()
    assert _kinds(report) == [("deleted", rows[4].pk)]
    assert "4..4" in report.findings[0].detail


def test_a_deleted_last_sealed_row_is_found_by_its_checkpoint() -> None:
    rows = _sealed(6)
    AuditLog.objects.filter(pk=rows[-1].pk).delete()
    assert _kinds(audit_chain.check_chain()) == [("truncated", None)]


def test_a_forged_row_is_found_sealed_or_not() -> None:
    rows = _sealed(4)
    forged = AuditLog(at=rows[0].at, actor_name="x", verb="forged", target_type="x.thing",
                      digest="0" * 80)
    forged.save()
    assert _kinds(audit_chain.check_chain()) == [("forged", forged.pk)]
    audit_chain.do_seal()
    assert ("edited", forged.pk) in _kinds(audit_chain.check_chain())


def test_a_row_put_into_the_chain_by_hand_is_found() -> None:
    rows = _sealed(4)
    AuditLog.objects.filter(pk=rows[1].pk).update(link=rows[2].link)
    kinds = _kinds(audit_chain.check_chain())
    assert ("forged", rows[1].pk) in kinds


def test_a_copied_row_cannot_be_inserted() -> None:
    rows = _sealed(2)
    copy = AuditLog.objects.get(pk=rows[0].pk)
    copy.pk, copy.seq, copy.link = None, None, ""
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLog.objects.bulk_create([copy])  # the digest as copied


def test_another_key_fails_every_row() -> None:
    _sealed(3)
    with override_settings(AUDIT_KEY="another key"):
        kinds = {kind for kind, _ in _kinds(audit_chain.check_chain())}
    assert kinds == {"edited", "forged"}


def test_a_row_committed_late_with_a_lower_id_is_sealed_next() -> None:
    """On PostgreSQL a long transaction commits rows whose ids are below rows already
    sealed: they join the chain at the next seal, in place of being skipped."""
    first = audit_row(actor=ACTOR, verb="early", target=None, target_type="x.thing")
    first.pk = 100
    record_many([first])
    audit_chain.do_seal()
    late = audit_row(actor=ACTOR, verb="late", target=None, target_type="x.thing")
    late.pk = 50
    record_many([late])
    assert audit_chain.do_seal().sealed == 1
    assert AuditLog.objects.get(pk=50).seq == 2
    assert audit_chain.check_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_leave_a_clean_chain() -> None:
    def writer(n: int) -> None:
        try:
            for _ in range(n):
                with transaction.atomic():
                    _write(5)
                    time.sleep(0.002)
        finally:
            connection.close()

    def sealer() -> None:
        try:
            for _ in range(20):
                audit_chain.do_seal(batch=7)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(20,)) for _ in range(4)]
    threads += [threading.Thread(target=sealer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    audit_chain.do_seal()
    report = audit_chain.check_chain()
    assert report.ok, report.findings
    assert (report.sealed, report.unsealed) == (400, 0)
