"""Command-centre API, tasks part: directives (list, issue, detail), tasks (list, detail,
acknowledge, progress, evidence, close, reopen, file download) and the supervision ranking.
Thin handlers over ``directives``, ``task_actions`` and ``supervision``."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fangkong.api import request_actor, requires
from fangkong.command import directives, supervision, task_actions
from fangkong.command.models import Directive, Task, TaskStatus
from fangkong.command.views_tasks import evidence_response
from fangkong.core import clock
from fangkong.core.rights import Right

router = Router()
PAGE = 100


class TaskRead(Schema):
    id: int
    directive_id: int
    number: str
    title: str
    unit_id: int
    unit: str
    status: str
    deadline: dt.datetime
    progress: int
    acknowledged_at: dt.datetime | None
    done_at: dt.datetime | None
    escalation_level: int
    overdue: bool
    acknowledgement_late: bool

    @staticmethod
    def of(task: Task) -> "TaskRead":
        [task] = directives.flagged([task], now=clock.now())
        return TaskRead(
            id=task.pk, directive_id=task.directive_id, number=task.directive.number,
            title=task.directive.title, unit_id=task.unit_id, unit=task.unit.name,
            status=task.status, deadline=task.deadline, progress=task.progress,
            acknowledged_at=task.acknowledged_at, done_at=task.done_at,
            escalation_level=task.escalation_level,
            overdue=task.overdue, acknowledgement_late=task.ack_late)  # type: ignore[attr-defined]


class TaskEventRead(Schema):
    at: dt.datetime
    kind: str
    actor_name: str
    progress: int | None
    note: str


class FileRead(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


class TaskDetail(TaskRead):
    body: str
    evidence: str
    events: list[TaskEventRead]
    files: list[FileRead]


class DirectiveRead(Schema):
    id: int
    number: str
    title: str
    body: str
    group: str
    issuer_unit_id: int
    issued_at: dt.datetime
    deadline: dt.datetime
    tasks: int
    done: int
    overdue: int


class DirectiveDetail(DirectiveRead):
    task_list: list[TaskRead]


class DirectiveCreate(Schema):
    title: str
    body: str = ""
    group: str
    deadline: dt.datetime
    unit_ids: list[int] = []
    all_streets_of: int | None = None


class ProgressBody(Schema):
    progress: int
    note: str = ""


class NoteBody(Schema):
    note: str = ""


class ReasonBody(Schema):
    reason: str


class RankRow(Schema):
    unit_id: int
    unit: str
    received: int
    on_time: int
    late: int
    overdue: int
    mean_ack_hours: float | None
    score: float | None


class RankQuery(Schema):
    unit: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    sort: str = "score"
    order: str = "desc"


class SupervisionRead(Schema):
    unit_id: int
    since: dt.date
    until: dt.date
    rows: list[RankRow]


def _directive(d: Directive) -> dict[str, Any]:
    return {"id": d.pk, "number": d.number, "title": d.title, "body": d.body, "group": d.group,
            "issuer_unit_id": d.issuer_unit_id, "issued_at": d.issued_at,
            "deadline": d.deadline, "tasks": d.n_tasks, "done": d.n_done,  # type: ignore[attr-defined]
            "overdue": d.n_overdue}  # type: ignore[attr-defined]


def _detail(request: HttpRequest, directive_id: int) -> DirectiveDetail:
    actor = request_actor(request)
    directive = directives.get_directive(actor=actor, directive_id=directive_id)
    counted = directives.with_progress(Directive.objects.filter(pk=directive.pk)).get()
    tasks = directives.tasks_for(actor).filter(directive=directive).select_related(
        "unit", "directive").order_by("unit__code")
    return DirectiveDetail(**_directive(counted), task_list=[TaskRead.of(t) for t in tasks])


@router.get("/directives", response=list[DirectiveRead])
@requires(Right.COMMAND_VIEW)
def list_directives(request: HttpRequest, after: int = 0) -> list[DirectiveRead]:
    """Newest first, 100 a page: ``after`` = the last id of the previous page."""
    qs = directives.with_progress(directives.directives_for(request_actor(request)))
    qs = qs.filter(pk__lt=after) if after else qs
    return [DirectiveRead(**_directive(d)) for d in qs.order_by("-pk")[:PAGE]]


@router.post("/directives", response={201: DirectiveDetail})
@requires(Right.COMMAND_DIRECT)
def issue_directive(request: HttpRequest, body: DirectiveCreate) -> Status[DirectiveDetail]:
    data = directives.DirectiveInput(**{**body.dict(), "unit_ids": tuple(body.unit_ids)})
    directive = directives.do_issue_directive(actor=request_actor(request), data=data)
    return Status(201, _detail(request, directive.pk))


@router.get("/directives/{directive_id}", response=DirectiveDetail)
@requires(Right.COMMAND_VIEW)
def directive_detail(request: HttpRequest, directive_id: int) -> DirectiveDetail:
    return _detail(request, directive_id)


@router.get("/tasks", response=list[TaskRead])
@requires(Right.COMMAND_VIEW)
def list_tasks(request: HttpRequest, mine: bool = True, status: str = "",
               after: int = 0) -> list[TaskRead]:
    """The caller's unit's tasks (``mine=false``: every task in their jurisdiction)."""
    actor = request_actor(request)
    qs = directives.tasks_for(actor).select_related("unit", "directive")
    qs = qs.filter(unit=actor.unit) if mine else qs
    qs = qs.filter(status=status) if status in TaskStatus.values else qs
    qs = qs.filter(pk__lt=after) if after else qs
    return [TaskRead.of(t) for t in qs.order_by("-pk")[:PAGE]]


def _task_detail(request: HttpRequest, task_id: int) -> TaskDetail:
    task = task_actions.get_task(actor=request_actor(request), task_id=task_id)
    return TaskDetail(
        **TaskRead.of(task).dict(), body=task.directive.body, evidence=task.evidence,
        events=[TaskEventRead.from_orm(e) for e in task.events.all()],
        files=[FileRead.from_orm(f) for f in task.files.defer("data")])


@router.get("/tasks/{task_id}", response=TaskDetail)
@requires(Right.COMMAND_VIEW)
def task_detail(request: HttpRequest, task_id: int) -> TaskDetail:
    return _task_detail(request, task_id)


@router.post("/tasks/{task_id}/acknowledge", response=TaskDetail)
@requires(Right.COMMAND_TASK)
def acknowledge(request: HttpRequest, task_id: int) -> TaskDetail:
    task_actions.do_acknowledge(actor=request_actor(request), task_id=task_id)
    return _task_detail(request, task_id)


@router.post("/tasks/{task_id}/progress", response=TaskDetail)
@requires(Right.COMMAND_TASK)
def progress(request: HttpRequest, task_id: int, body: ProgressBody) -> TaskDetail:
    task_actions.do_progress(actor=request_actor(request), task_id=task_id, **body.dict())
    return _task_detail(request, task_id)


@router.post("/tasks/{task_id}/evidence", response=TaskDetail)
@requires(Right.COMMAND_TASK)
def add_evidence(request: HttpRequest, task_id: int, note: str = Form(""),
                 file: UploadedFile | None = File(None)) -> TaskDetail:
    """Multipart: a ``note`` and/or a ``file`` (pdf, png, jpeg, xlsx, csv, docx; 5 MB)."""
    upload = None if file is None else task_actions.Upload(name=file.name or "",
                                                           data=file.read())
    task_actions.do_add_evidence(actor=request_actor(request), task_id=task_id, note=note,
                                 upload=upload)
    return _task_detail(request, task_id)


@router.post("/tasks/{task_id}/close", response=TaskDetail)
@requires(Right.COMMAND_TASK)
def close(request: HttpRequest, task_id: int, body: NoteBody) -> TaskDetail:
    task_actions.do_close(actor=request_actor(request), task_id=task_id, note=body.note)
    return _task_detail(request, task_id)


@router.post("/tasks/{task_id}/reopen", response=TaskDetail)
@requires(Right.COMMAND_DIRECT)
def reopen(request: HttpRequest, task_id: int, body: ReasonBody) -> TaskDetail:
    task_actions.do_reopen(actor=request_actor(request), task_id=task_id, reason=body.reason)
    return _task_detail(request, task_id)


@router.get("/tasks/{task_id}/evidence/{evidence_id}")
@requires(Right.COMMAND_VIEW)
def download_evidence(request: HttpRequest, task_id: int, evidence_id: int) -> HttpResponse:
    return evidence_response(task_actions.get_evidence(
        actor=request_actor(request), task_id=task_id, evidence_id=evidence_id))


@router.get("/supervision", response=SupervisionRead)
@requires(Right.COMMAND_VIEW)
def supervision_ranking(request: HttpRequest, query: Query[RankQuery]) -> SupervisionRead:
    """The units below ``unit`` (default: the caller's) ranked by timeliness over the
    directives issued from ``since`` to ``until`` (default: the last 7 days)."""
    actor = request_actor(request)
    target = supervision.unit_for(actor, query.unit)
    first, last = supervision.default_period(clock.city_today())
    since, until = query.since or first, query.until or last
    rows = supervision.ranking(unit=target, since=since, until=max(since, until),
                               now=clock.now(), sort=query.sort,
                               descending=query.order != "asc")
    return SupervisionRead(unit_id=target.pk, since=since, until=max(since, until), rows=[
        RankRow(unit_id=r.unit.pk, unit=r.unit.name, received=r.figures.received,
                on_time=r.figures.on_time, late=r.figures.late, overdue=r.figures.overdue,
                mean_ack_hours=r.figures.mean_ack_hours, score=r.figures.score)
        for r in rows])
