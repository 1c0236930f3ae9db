"""Integrity of the audit log: a keyed content hash on every row, and a chain that links the
sealed rows, so an edited, deleted or forged row is found by :func:`check_chain`.

At insert each row gets ``digest``: a random salt and HMAC-SHA256 (key from the environment,
``FANGKONG_AUDIT_KEY`` or derived from ``FANGKONG_SECRET_KEY``) over its content. Someone with
database access alone cannot make a valid digest for an edited or invented row; the salt makes
every digest unique (a unique index), so a verbatim copy of a row cannot be inserted either.

Sealing (:func:`do_seal`, a periodic job and ``fangkong audit seal``) gives the unsealed rows,
in id order, the next chain positions ``seq`` 1, 2, 3 … and ``link`` = HMAC(previous link,
seq, id, digest), and writes a checkpoint (the last seq and link). Positions follow sealing,
not ids: on PostgreSQL a long transaction can commit rows whose ids are below rows already
sealed; they are simply sealed next time, so no waiting period is needed and nothing is
skipped. A gap in ``seq`` is a deleted row; a checkpoint past the last row is a deleted tail.
Rows are protected against deletion only once sealed (the job runs every minute); deleting
the newest rows together with their checkpoints is caught only against a head kept outside
the database (``fangkong audit seal`` prints it; ``verify --head`` checks it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count

from fangkong.core import clock
from fangkong.core.models import AuditCheckpoint, AuditLog

KEY_LABEL = b"fangkong.audit-chain.v1"
SALT_CHARS = 16
# The columns a digest covers, in this order (the row's id is covered by the chain).
CONTENT = ("at", "actor_id", "actor_name", "verb", "target_type", "target_id", "before",
           "after", "ip", "district_id", "street_id", "community_id", "grid_id")
IP_FIELD = AuditLog._meta.get_field("ip")
ADVISORY_LOCK = 0x46_4B_41_55  # "FKAU": one sealer at a time on PostgreSQL


def audit_key() -> bytes:
    """The HMAC key: FANGKONG_AUDIT_KEY, else derived from SECRET_KEY under a fixed label."""
    own = getattr(settings, "AUDIT_KEY", "")
    if own:
        return own.encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), KEY_LABEL, hashlib.sha256).digest()


def _canon(value: Any) -> Any:
    """JSON as it comes back from either database: keys as strings, and integral floats too
    large for Python's plain notation as integers (PostgreSQL's jsonb prints them so)."""
    if isinstance(value, dict):
        return {str(k): _canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    return value


def _ip(value: str | None) -> str | None:
    if not value or ":" not in value:
        return value or None
    return IP_FIELD.get_prep_value(value)  # IPv6, stored in its compressed form


def content_bytes(values: dict[str, Any]) -> bytes:
    """The canonical form of a row's content (``values`` keyed by :data:`CONTENT`)."""
    at = values["at"]
    fields = {name: values[name] for name in CONTENT}
    fields["at"] = at.astimezone(dt.UTC).isoformat(timespec="microseconds") if at else None
    fields["before"] = _canon(values["before"])
    fields["after"] = _canon(values["after"])
    fields["ip"] = _ip(values["ip"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def _mac(key: bytes, salt: str, content: bytes) -> str:
    return hmac.new(key, salt.encode("ascii") + content, hashlib.sha256).hexdigest()


def new_digest(values: dict[str, Any], *, key: bytes | None = None) -> str:
    """A fresh salt and the HMAC of the row's content under it."""
    salt = secrets.token_hex(SALT_CHARS // 2)
    return salt + _mac(key or audit_key(), salt, content_bytes(values))


def digest_ok(values: dict[str, Any], digest: str, *, key: bytes) -> bool:
    salt, mac = digest[:SALT_CHARS], digest[SALT_CHARS:]
    return len(digest) == SALT_CHARS + 64 and hmac.compare_digest(
        mac, _mac(key, salt, content_bytes(values)))


def link_of(*, key: bytes, prev: str, seq: int, row_id: int, digest: str) -> str:
    return hmac.new(key, f"{prev}|{seq}|{row_id}|{digest}".encode("ascii"),
                    hashlib.sha256).hexdigest()


def row_values(row: AuditLog) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CONTENT}


@dataclass
class SealResult:
    sealed: int = 0
    head_seq: int = 0
    head_link: str = ""


def do_seal(*, batch: int = 5000) -> SealResult:
    """Chain every unsealed row, ``batch`` rows a transaction, each ending in a checkpoint."""
    result = SealResult()
    while True:
        step = _seal_batch(batch=batch)
        if step.sealed == 0:
            return result if result.sealed else step
        result.sealed += step.sealed
        result.head_seq, result.head_link = step.head_seq, step.head_link


def _seal_batch(*, batch: int) -> SealResult:
    key = audit_key()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        last = AuditCheckpoint.objects.order_by("-seq").first()
        seq, prev = (last.seq, last.link) if last else (0, "")
        rows = list(AuditLog.objects.filter(seq__isnull=True).order_by("id")
                    .values_list("id", "digest")[:batch])
        links = []
        for row_id, digest in rows:
            seq += 1
            prev = link_of(key=key, prev=prev, seq=seq, row_id=row_id, digest=digest)
            links.append((seq, prev, row_id))
        if not rows:
            return SealResult(0, seq, prev)
        _write_links(links)
        AuditCheckpoint.objects.create(seq=seq, link=prev, at=clock.now(), rows=len(rows))
    return SealResult(len(rows), seq, prev)


def _write_links(links: list[tuple[int, str, int]]) -> None:
    """One statement for the batch on PostgreSQL (arrays joined by id), one prepared UPDATE
    per row on SQLite: both far faster than an ORM bulk update's CASE expressions."""
    quote = connection.ops.quote_name
    table = quote(AuditLog._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            seqs, texts, ids = (list(column) for column in zip(*links, strict=True))
            cursor.execute(
                f"UPDATE {table} AS a SET seq = v.seq, link = v.link "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS v(seq, link, id) "
                "WHERE a.id = v.id", [seqs, texts, ids])
            return
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, link = %s WHERE id = %s", links)  # noqa: S608


@dataclass
class Finding:
    """One broken place: ``kind`` is edited, deleted, forged, duplicate, truncated or head."""

    kind: str
    row_id: int | None
    seq: int | None
    detail: str


@dataclass
class Report:
    sealed: int = 0
    unsealed: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check_chain(*, batch: int = 5000, head: tuple[int, str] | None = None,
                limit: int = 100) -> Report:
    """Walk the sealed rows in chain order and the unsealed ones; report up to ``limit``
    findings, the first broken row first. ``head`` (seq, link) is one kept outside."""
    key = audit_key()
    report = Report()
    marks = dict(AuditCheckpoint.objects.values_list("seq", "link"))
    last_seq, prev = _walk_sealed(key=key, report=report, marks=marks, batch=batch)
    for seq in sorted(s for s in marks if s > last_seq):
        report.findings.append(Finding("truncated", None, seq,
                                       f"checkpoint at seq {seq} but the chain ends at {last_seq}"))
    if head is not None and (head[0] > last_seq or (head[0] == last_seq and head[1] != prev)):
        report.findings.append(Finding("head", None, head[0], "the head kept outside differs"))
    _check_unsealed(key=key, report=report, batch=batch)
    _check_duplicates(report=report)
    del report.findings[limit:]
    return report


def _walk_sealed(*, key: bytes, report: Report, marks: dict[int, str],
                 batch: int) -> tuple[int, str]:
    """Check each sealed row's digest, position and link; returns the last seq and link."""
    expected_seq, prev = 1, ""
    sealed = AuditLog.objects.filter(seq__isnull=False).order_by("seq")
    after = 0
    while True:
        page = list(sealed.filter(seq__gt=after).values("id", "seq", "link", "digest",
                                                        *CONTENT)[:batch])
        if not page:
            return expected_seq - 1, prev
        for row in page:
            report.sealed += 1
            seq, rid = row["seq"], row["id"]
            if seq != expected_seq:
                report.findings.append(Finding(
                    "deleted", rid, seq, f"rows at seq {expected_seq}..{seq - 1} are missing"))
            elif row["link"] != link_of(key=key, prev=prev, seq=seq, row_id=rid,
                                        digest=row["digest"]):
                report.findings.append(Finding("forged", rid, seq, "the chain link is wrong"))
            if not digest_ok(row, row["digest"], key=key):
                report.findings.append(Finding("edited", rid, seq, "the content hash is wrong"))
            if seq in marks and marks[seq] != row["link"]:
                report.findings.append(Finding("forged", rid, seq, "differs from its checkpoint"))
            expected_seq, prev = seq + 1, row["link"]
        after = page[-1]["seq"]


def _check_unsealed(*, key: bytes, report: Report, batch: int) -> None:
    after = 0
    unsealed = AuditLog.objects.filter(seq__isnull=True).order_by("id")
    while True:
        page = list(unsealed.filter(id__gt=after).values("id", "digest", *CONTENT)[:batch])
        if not page:
            return
        for row in page:
            report.unsealed += 1
            if not digest_ok(row, row["digest"], key=key):
                report.findings.append(Finding("forged", row["id"], None,
                                               "unsealed row with a wrong content hash"))
        after = page[-1]["id"]


def _check_duplicates(*, report: Report) -> None:
    """The unique index stops copies; this finds them should the index have been dropped."""
    dupes = (AuditLog.objects.values("digest").annotate(n=Count("id")).filter(n__gt=1)
             .values_list("digest", flat=True)[:10])
    for digest in dupes:
        ids = list(AuditLog.objects.filter(digest=digest).values_list("id", flat=True))
        report.findings.append(Finding("duplicate", ids[-1], None, f"rows {ids} are copies"))
