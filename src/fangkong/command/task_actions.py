"""The steps of a task: acknowledge, progress, add evidence, close, and the issuer's reopen.

A task is worked by the staff of its own unit (right ``command.task``, their unit = the
task's): the HQs above watch and supervise, they do not tick a street's boxes for it. Only
the issuing HQ reopens a done task. Each step writes a ``TaskEvent`` and an audit row in one
transaction with the change."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.command.directives import tasks_for
from fangkong.command.models import Evidence, Task, TaskEvent, TaskEventKind, TaskStatus
from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right

NOTE_MAX = 2000
FILE_MAX = 5 * 1024 * 1024
# Extension → (stored content type, what the first bytes must be); csv is checked as text.
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "csv": ("text/csv", ()),
}
WORKING = (TaskStatus.ACKNOWLEDGED, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def get_task(*, actor: Actor, task_id: int, lock: bool = False) -> Task:
    """One task visible to the actor (404 when missing or out of scope alike)."""
    qs = tasks_for(actor).filter(pk=task_id)
    found = (Task.objects.select_for_update().filter(pk__in=qs.values("pk")).first() if lock
             else qs.select_related("directive", "unit", "directive__issuer_unit").first())
    if found is None:
        raise NotFound("task")
    return found


def get_evidence(*, actor: Actor, task_id: int, evidence_id: int) -> Evidence:
    """A file of a task the actor sees (404 otherwise, the file or the task alike)."""
    task = get_task(actor=actor, task_id=task_id)
    found = Evidence.objects.filter(task=task, pk=evidence_id).first()
    if found is None:
        raise NotFound("evidence")
    return found


def _own_task(actor: Actor, task_id: int) -> Task:
    actor.require(Right.COMMAND_TASK)
    task = get_task(actor=actor, task_id=task_id, lock=True)
    if actor.unit is None or actor.unit.pk != task.unit_id:
        raise PermissionDenied(_("only the staff of the receiving unit work this task"))
    return task


def _note(note: str, *, required: bool = False, field: str = "note") -> str:
    note = note.strip()
    if len(note) > NOTE_MAX or (required and not note):
        raise DomainError(_("give a note of at most %(n)d characters") % {"n": NOTE_MAX},
                          field=field)
    return note


def _step(actor: Actor, task: Task, *, kind: TaskEventKind, verb: str, before: dict[str, object],
          note: str = "", progress: int | None = None) -> None:
    TaskEvent.objects.create(task=task, at=clock.now(), kind=kind, actor_id=actor.user_id,
                             actor_name=actor.username, note=note, progress=progress)
    record(actor=actor, verb=verb, target=task, before=before,
           after={**snapshot(task), **({"note": note} if note else {})})


def do_acknowledge(*, actor: Actor, task_id: int) -> Task:
    with transaction.atomic():
        task = _own_task(actor, task_id)
        if task.status != TaskStatus.ISSUED:
            raise Conflict(_("only an issued task is acknowledged"), field="status")
        before = snapshot(task)
        task.status, task.acknowledged_at = TaskStatus.ACKNOWLEDGED, clock.now()
        task.save(update_fields=["status", "acknowledged_at"])
        _step(actor, task, kind=TaskEventKind.ACKNOWLEDGED, verb="command.task.acknowledge",
              before=before)
    return task


def do_progress(*, actor: Actor, task_id: int, progress: int, note: str = "") -> Task:
    """Percent done (0–100) with a note; the task is then in progress."""
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise DomainError(_("progress is a whole percent from 0 to 100"), field="progress")
    note = _note(note)
    with transaction.atomic():
        task = _own_task(actor, task_id)
        if task.status not in WORKING:
            raise Conflict(_("acknowledge the task first") if task.status == TaskStatus.ISSUED
                           else _("the task is done: the issuer can reopen it"),
                           field="status")
        before = snapshot(task)
        task.status, task.progress = TaskStatus.IN_PROGRESS, progress
        task.save(update_fields=["status", "progress"])
        _step(actor, task, kind=TaskEventKind.PROGRESS, verb="command.task.progress",
              before=before, note=note, progress=progress)
    return task


def check_upload(upload: Upload) -> tuple[str, str]:
    """(clean name, content type) of an allowed file; the type is the extension's, and
    the content must start the way that type does (a renamed file is refused)."""
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FILE_TYPES:
        raise DomainError(_("allowed files are pdf, png, jpeg, xlsx, csv and docx, not "
                            "“%(name)s”") % {"name": name}, field="file")
    if not upload.data:
        raise DomainError(_("the file “%(name)s” is empty") % {"name": name}, field="file")
    if len(upload.data) > FILE_MAX:
        raise DomainError(_("the file “%(name)s” is larger than 5 MB") % {"name": name},
                          field="file")
    content_type, magics = FILE_TYPES[ext]
    if magics and not upload.data.startswith(magics):
        raise DomainError(_("“%(name)s” is not a real %(ext)s file") % {
            "name": name, "ext": ext}, field="file")
    if not magics and (b"\x00" in upload.data or not _is_text(upload.data)):
        raise DomainError(_("“%(name)s” is not a text CSV file") % {"name": name},
                          field="file")
    return name, content_type


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def do_add_evidence(*, actor: Actor, task_id: int, note: str = "",
                    upload: Upload | None = None) -> Task:
    """A note and/or a file that shows the work (a list, a photo, a signed form)."""
    note = _note(note)
    checked = check_upload(upload) if upload is not None else None
    if not note and checked is None:
        raise DomainError(_("give a note or a file as evidence"), field="note")
    with transaction.atomic():
        task = _own_task(actor, task_id)
        if task.status == TaskStatus.DONE:
            raise Conflict(_("the task is done: the issuer can reopen it"), field="status")
        before = snapshot(task)
        _add_evidence(actor, task, note=note, upload=upload, checked=checked)
        _step(actor, task, kind=TaskEventKind.EVIDENCE, verb="command.task.evidence",
              before=before, note=" · ".join(p for p in (note, checked and checked[0]) if p))
    return task


def _add_evidence(actor: Actor, task: Task, *, note: str, upload: Upload | None,
                  checked: tuple[str, str] | None) -> None:
    if note:
        task.evidence = f"{task.evidence}\n{note}".strip()
        task.save(update_fields=["evidence"])
    if upload is not None and checked is not None:
        Evidence.objects.create(task=task, name=checked[0], content_type=checked[1],
                                size=len(upload.data), data=upload.data,
                                uploaded_at=clock.now(), uploaded_by_id=actor.user_id)


def do_close(*, actor: Actor, task_id: int, note: str = "") -> Task:
    """Done: needs evidence, a note given now or earlier, or a file."""
    note = _note(note)
    with transaction.atomic():
        task = _own_task(actor, task_id)
        if task.status not in WORKING:
            raise Conflict(_("acknowledge the task first") if task.status == TaskStatus.ISSUED
                           else _("the task is already done"), field="status")
        if not note and not task.evidence and not task.files.exists():
            raise DomainError(_("a task is closed with evidence: a note or a file"),
                              field="note")
        before = snapshot(task)
        if note:
            task.evidence = f"{task.evidence}\n{note}".strip()
        task.status, task.progress, task.done_at = TaskStatus.DONE, 100, clock.now()
        task.save(update_fields=["status", "progress", "done_at", "evidence"])
        _step(actor, task, kind=TaskEventKind.DONE, verb="command.task.close", before=before,
              note=note)
    return task


def do_reopen(*, actor: Actor, task_id: int, reason: str) -> Task:
    """The issuing HQ sends a done task back (its evidence did not convince)."""
    actor.require(Right.COMMAND_DIRECT)
    reason = _note(reason, required=True, field="reason")
    with transaction.atomic():
        task = get_task(actor=actor, task_id=task_id, lock=True)
        if actor.unit is None or actor.unit.pk != task.directive.issuer_unit_id:
            raise PermissionDenied(_("only the issuing HQ reopens a task"))
        if task.status != TaskStatus.DONE:
            raise Conflict(_("only a done task is reopened"), field="status")
        before = snapshot(task)
        task.status, task.done_at = TaskStatus.IN_PROGRESS, None
        task.save(update_fields=["status", "done_at"])
        _step(actor, task, kind=TaskEventKind.REOPENED, verb="command.task.reopen",
              before=before, note=reason)
    return task
