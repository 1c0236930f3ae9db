"""A task's steps: acknowledge, progress, evidence (types and sizes), close with evidence,
the issuer's reopen; who may do each; every step an event and an audit row."""

import io
import zipfile

import pytest

from fangkong.command.models import Evidence, Task, TaskStatus
from fangkong.command.task_actions import (
    FILE_MAX,
    Upload,
    do_acknowledge,
    do_add_evidence,
    do_close,
    do_progress,
    do_reopen,
    get_task,
)
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.models import AuditLog
from tests.command.builders_tasks import Cast, issue, task_cast
from tests.factories import City

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def cast(city: City) -> Cast:
    return task_cast(city)


@pytest.fixture
def task(cast: Cast) -> Task:
    directive = issue(cast.actor("officer1"), [cast.street_1a, cast.street_1b])
    return directive.tasks.get(unit=cast.street_1a)


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def test_the_whole_way_to_done(cast: Cast, task: Task) -> None:
    street = cast.actor("street1")
    do_acknowledge(actor=street, task_id=task.pk)
    do_progress(actor=street, task_id=task.pk, progress=40, note="已完成3个小区")
    do_add_evidence(actor=street, task_id=task.pk, upload=Upload("名单.xlsx", _xlsx()))
    done = do_close(actor=street, task_id=task.pk)
    assert done.status == TaskStatus.DONE and done.progress == 100 and done.done_at
    kinds = list(task.events.values_list("kind", flat=True))
    assert kinds == ["issued", "acknowledged", "progress", "evidence", "done"]
    assert AuditLog.objects.filter(target_id=str(task.pk),
                                   verb__startswith="command.task.").count() == 5
    file = Evidence.objects.get(task=task)
    assert file.content_type.endswith("spreadsheetml.sheet") and file.name == "名单.xlsx"


def test_close_without_evidence_is_refused(cast: Cast, task: Task) -> None:
    street = cast.actor("street1")
    do_acknowledge(actor=street, task_id=task.pk)
    with pytest.raises(DomainError, match="closed with evidence") as caught:
        do_close(actor=street, task_id=task.pk)
    assert caught.value.field == "note"
    assert Task.objects.get(pk=task.pk).status == TaskStatus.ACKNOWLEDGED
    assert do_close(actor=street, task_id=task.pk, note="已全部送达").status == TaskStatus.DONE


@pytest.mark.parametrize(("name", "data", "message"), [
    ("virus.exe", b"MZ\x90\x00", "allowed files are"),
    ("photo.png", b"GIF89a", "not a real png"),
    ("list.csv", b"\xff\xfe\x00a", "not a text CSV"),
    ("empty.pdf", b"", "is empty"),
    ("big.pdf", b"%PDF-" + b"0" * FILE_MAX, "larger than 5 MB"),
])
def test_bad_files_are_refused(cast: Cast, task: Task, name: str, data: bytes,
                               message: str) -> None:
    street = cast.actor("street1")
    do_acknowledge(actor=street, task_id=task.pk)
    with pytest.raises(DomainError, match=message) as caught:
        do_add_evidence(actor=street, task_id=task.pk, upload=Upload(name, data))
    assert caught.value.field == "file"
    assert not Evidence.objects.exists()


def test_allowed_files_are_kept(cast: Cast, task: Task) -> None:
    street = cast.actor("street1")
    do_acknowledge(actor=street, task_id=task.pk)
    for upload in (Upload("照片.PNG", PNG), Upload("scan.jpeg", b"\xff\xd8\xff\xe0 jfif"),
                   Upload("c:\\docs\\名单.csv", "姓名,电话\n张三,1\n".encode("gb18030"))):
        do_add_evidence(actor=street, task_id=task.pk, upload=upload)
    assert sorted(Evidence.objects.values_list("name", "content_type")) == [
        ("scan.jpeg", "image/jpeg"), ("名单.csv", "text/csv"), ("照片.PNG", "image/png")]


def test_steps_keep_their_order(cast: Cast, task: Task) -> None:
    street = cast.actor("street1")
    with pytest.raises(Conflict, match="acknowledge the task first"):
        do_progress(actor=street, task_id=task.pk, progress=10)
    do_acknowledge(actor=street, task_id=task.pk)
    with pytest.raises(Conflict):
        do_acknowledge(actor=street, task_id=task.pk)
    for bad in (-1, 101):
        with pytest.raises(DomainError, match="0 to 100"):
            do_progress(actor=street, task_id=task.pk, progress=bad)
    do_close(actor=street, task_id=task.pk, note="完成")
    with pytest.raises(Conflict, match="issuer can reopen"):
        do_add_evidence(actor=street, task_id=task.pk, note="补充")


def test_only_the_receiving_unit_works_a_task(cast: Cast, task: Task) -> None:
    with pytest.raises(PermissionDenied):
        do_acknowledge(actor=cast.actor("officer1"), task_id=task.pk)  # sees it, HQ
    with pytest.raises(NotFound):
        do_acknowledge(actor=cast.actor("street1b"), task_id=task.pk)  # the other street
    with pytest.raises(NotFound):
        get_task(actor=cast.actor("officer2"), task_id=task.pk)  # the other district


def test_the_issuer_reopens_a_done_task_with_a_reason(cast: Cast, task: Task) -> None:
    street = cast.actor("street1")
    do_acknowledge(actor=street, task_id=task.pk)
    do_close(actor=street, task_id=task.pk, note="完成")
    with pytest.raises(PermissionDenied):
        do_reopen(actor=cast.actor("commander"), task_id=task.pk, reason="再查")  # not issuer
    with pytest.raises(DomainError, match="note"):
        do_reopen(actor=cast.actor("officer1"), task_id=task.pk, reason="  ")
    reopened = do_reopen(actor=cast.actor("officer1"), task_id=task.pk, reason="名单不全")
    assert reopened.status == TaskStatus.IN_PROGRESS and reopened.done_at is None
    assert task.events.last().note == "名单不全"  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        do_reopen(actor=cast.actor("officer1"), task_id=task.pk, reason="again")
