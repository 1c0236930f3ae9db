"""Command-centre pages, tasks part: directives (list with progress, new, detail), a unit's
tasks and one task's steps and history, evidence download, and the supervision ranking.
Thin: the rules are ``directives``', ``task_actions``' and ``supervision``'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.command import directives, task_actions, views_supervision
from fangkong.command.forms_tasks import (
    CloseForm,
    DirectiveForm,
    EvidenceForm,
    ProgressForm,
    ReopenForm,
)
from fangkong.command.models import Evidence, Task, TaskStatus
from fangkong.core import clock
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.tracing.views import page_of
from fangkong.web.access import actor_of, int_param, needs

PAGE_SIZE = 50


@needs(Right.COMMAND_VIEW)
def directives_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    qs = directives.with_progress(directives.directives_for(actor)).select_related(
        "issuer_unit").order_by("-pk")
    after = int_param(request, "after")
    rows = list((qs.filter(pk__lt=after) if after else qs)[:PAGE_SIZE + 1])
    return render(request, "command/directives.html", {
        "page": page_of(rows, PAGE_SIZE), "can_direct": _can_direct(actor)})


def _can_direct(actor: Actor) -> bool:
    return (actor.can(Right.COMMAND_DIRECT) and actor.unit is not None
            and actor.unit.level in directives.HQ_LEVELS)


@needs(Right.COMMAND_DIRECT)
def directive_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = DirectiveForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        done = form.submit(lambda **_kw: directives.do_issue_directive(
            actor=actor, data=form.data_input()))
        if done is not None:
            messages.success(request, _("Directive %(number)s issued to %(n)d units.")
                             % {"number": done.number, "n": done.tasks.count()})
            return redirect("command_directive", done.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "command/directive_new.html", {"form": form}, status=status)


@needs(Right.COMMAND_VIEW)
def directive_page(request: HttpRequest, directive_id: int) -> HttpResponse:
    actor = actor_of(request)
    directive = directives.get_directive(actor=actor, directive_id=directive_id)
    tasks = directives.tasks_for(actor).filter(directive=directive).select_related(
        "unit", "directive").order_by("unit__code")
    return render(request, "command/directive.html", {
        "directive": directive, "tasks": directives.flagged(tasks, now=clock.now())})


@needs(Right.COMMAND_VIEW)
def tasks_page(request: HttpRequest) -> HttpResponse:
    """The actor's unit's tasks (``?show=below``: every task of the subtree)."""
    actor = actor_of(request)
    show = "below" if request.GET.get("show") == "below" else "mine"
    status = request.GET.get("status", "open")
    qs = directives.tasks_for(actor).select_related("unit", "directive")
    if show == "mine":
        qs = qs.filter(unit=actor.unit)
    if status == "open":
        qs = qs.exclude(status=TaskStatus.DONE)
    elif status in TaskStatus.values:
        qs = qs.filter(status=status)
    after = int_param(request, "after")
    rows = list((qs.filter(pk__lt=after) if after else qs).order_by("-pk")[:PAGE_SIZE + 1])
    page = page_of(rows, PAGE_SIZE)
    page.items[:] = directives.flagged(page.items, now=clock.now())
    return render(request, "command/tasks.html", {
        "page": page, "show": show, "status": status, "statuses": TaskStatus.choices})


def _task_page(request: HttpRequest, task_id: int, status: int = 200,
               **forms: Any) -> HttpResponse:
    actor = actor_of(request)
    task = task_actions.get_task(actor=actor, task_id=task_id)
    [task] = directives.flagged([task], now=clock.now())
    own = actor.can(Right.COMMAND_TASK) and actor.unit is not None and actor.unit.pk == task.unit_id
    return render(request, "command/task.html", {
        "task": task, "events": task.events.all(), "files": task.files.defer("data"),
        "own": own, "issuer": _can_direct(actor) and actor.unit is not None
        and actor.unit.pk == task.directive.issuer_unit_id,
        "progress_form": forms.get("progress_form") or ProgressForm(
            initial={"progress": task.progress}),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm()}, status=status)


@needs(Right.COMMAND_VIEW)
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, task_id)


def _submit(request: HttpRequest, task_id: int, form: Any, *, name: str,
            action: Callable[..., Task], done: str) -> HttpResponse:
    if form.submit(action, actor=actor_of(request), task_id=task_id) is None:
        messages.error(request, _("The task was not changed: see the form below."))
        return _task_page(request, task_id, status=422, **{name: form})
    messages.success(request, done)
    return redirect("command_task", task_id)


@require_POST
@needs(Right.COMMAND_TASK)
def task_acknowledge(request: HttpRequest, task_id: int) -> HttpResponse:
    """One button: a refusal (already acknowledged) comes back as a message."""
    try:
        task_actions.do_acknowledge(actor=actor_of(request), task_id=task_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task acknowledged."))
    return redirect("command_task", task_id)


@require_POST
@needs(Right.COMMAND_TASK)
def task_progress(request: HttpRequest, task_id: int) -> HttpResponse:
    return _submit(request, task_id, ProgressForm(request.POST), name="progress_form",
                   action=task_actions.do_progress, done=_("Progress recorded."))


@require_POST
@needs(Right.COMMAND_TASK)
def task_evidence(request: HttpRequest, task_id: int) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)

    def add(*, actor: Actor, task_id: int, note: str = "", file: Any = None) -> Task:
        upload = None if file is None else task_actions.Upload(name=file.name,
                                                               data=file.read())
        return task_actions.do_add_evidence(actor=actor, task_id=task_id, note=note,
                                            upload=upload)

    return _submit(request, task_id, form, name="evidence_form", action=add,
                   done=_("Evidence added."))


@require_POST
@needs(Right.COMMAND_TASK)
def task_close(request: HttpRequest, task_id: int) -> HttpResponse:
    return _submit(request, task_id, CloseForm(request.POST), name="close_form",
                   action=task_actions.do_close, done=_("Task closed as done."))


@require_POST
@needs(Right.COMMAND_DIRECT)
def task_reopen(request: HttpRequest, task_id: int) -> HttpResponse:
    return _submit(request, task_id, ReopenForm(request.POST), name="reopen_form",
                   action=task_actions.do_reopen, done=_("Task reopened."))


@needs(Right.COMMAND_VIEW)
def evidence_download(request: HttpRequest, task_id: int, evidence_id: int) -> HttpResponse:
    return evidence_response(task_actions.get_evidence(
        actor=actor_of(request), task_id=task_id, evidence_id=evidence_id))


def evidence_response(found: Evidence) -> HttpResponse:
    """A task's file, always as an attachment (never rendered inline by the browser,
    whatever was uploaded); pages and the API answer with it."""
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    ascii_name = found.name.encode("ascii", "replace").decode()
    ascii_name = ascii_name.replace('"', "_").replace("?", "_")
    response["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                       f"filename*=UTF-8''{quote(found.name)}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("command/directives/", directives_page, name="command_directives"),
    path("command/directives/new", directive_new, name="command_directive_new"),
    path("command/directives/<int:directive_id>/", directive_page, name="command_directive"),
    path("command/tasks/", tasks_page, name="command_tasks"),
    path("command/tasks/<int:task_id>/", task_page, name="command_task"),
    path("command/tasks/<int:task_id>/acknowledge", task_acknowledge,
         name="command_task_acknowledge"),
    path("command/tasks/<int:task_id>/progress", task_progress, name="command_task_progress"),
    path("command/tasks/<int:task_id>/evidence", task_evidence, name="command_task_evidence"),
    path("command/tasks/<int:task_id>/close", task_close, name="command_task_close"),
    path("command/tasks/<int:task_id>/reopen", task_reopen, name="command_task_reopen"),
    path("command/tasks/<int:task_id>/evidence/<int:evidence_id>", evidence_download,
         name="command_evidence"),
    *views_supervision.urlpatterns,
]
