"""The expected answer of one route to one caller, and the loop that asks every caller.

- anonymous: a page redirects to the login page (``/login/?next=``), an API operation answers
  401; a PUBLIC page answers below 500 without that redirect;
- a role without the route's right: 403 (the right is read off the view: ``required_right``,
  plus :data:`ALSO_NEEDS` / :data:`OR_RIGHTS` where a view checks more than it declares);
- a role with it: never 401, 403 or 5xx. Where the route names an object: the caller's own
  district's object is found (GET: not 404) and the other district's answers 404, exactly as a
  missing one (deny by default). An unsafe call to the other district's object that stops
  before the fetch (a form or body refused: 302/200/400/409/422) passes only if it wrote
  nothing: no audit row appeared (every write records one).

Each request runs in a savepoint that is rolled back, so no caller sees another's writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from fangkong.core.models import AuditLog
from fangkong.core.rights import ROLE_RIGHTS, Right, Role
from tests.authz.bodies import body_of, query_of
from tests.authz.conftest import CITY_ROLES, Matrix
from tests.authz.routes import PARAM_MODELS, Route
from tests.authz.world import World

R = Right
# Views that check other rights than the one they declare (route → who is let in, and why).
ACTUAL: dict[str, Callable[[frozenset[Right]], bool]] = {
    # full numbers of a ticket's caller: pii.view and the ticket's module
    "hotline_ticket_reveal": lambda r: {R.PII_VIEW, R.HOTLINE_VIEW} <= r,
    "POST /api/v1/hotline/tickets/<ticket_id>/reveal": lambda r: {R.PII_VIEW, R.HOTLINE_VIEW} <= r,
    "POST /api/v1/tracing/contacts/<contact_id>/reveal": lambda r: {R.PII_VIEW, R.TRACING_VIEW} <= r,
    # a checkpoint records arrivals, and so may a warning manager
    "warning_checkpoint": lambda r: bool({R.CHECKPOINT, R.WARNING_MANAGE} & r),
    "warning_arrivals_upload": lambda r: bool({R.CHECKPOINT, R.WARNING_MANAGE} & r),
    "POST /api/v1/warning/arrivals": lambda r: bool({R.CHECKPOINT, R.WARNING_MANAGE} & r),
    "POST /api/v1/warning/arrivals.csv": lambda r: bool({R.CHECKPOINT, R.WARNING_MANAGE} & r),
    # declared hotline.view, but a note is written by the street (handle) or an agent (take)
    "POST /api/v1/hotline/tickets/<ticket_id>/notes":
        lambda r: bool({R.HOTLINE_HANDLE, R.HOTLINE_TAKE} & r),
}
# Domain rules that answer 403 to some roles holding the right (route → roles, reason).
_CITY = frozenset(CITY_ROLES)
DOMAIN_403: dict[str, tuple[frozenset[Role], str]] = {
    **{name: (_CITY, "a task is acted on by the unit it was given to (or, to reopen, the "
                     "unit that issued it), not by the city")
       for name in ("command_task_acknowledge", "command_task_close",
                    "POST /api/v1/command/tasks/<task_id>/acknowledge",
                    "POST /api/v1/command/tasks/<task_id>/close",
                    "POST /api/v1/command/tasks/<task_id>/progress",
                    "POST /api/v1/command/tasks/<task_id>/reopen")},
    "POST /api/v1/risk/requests/<request_id>/assign": (
        frozenset({Role.VOLUNTEER}), "a volunteer may only claim a request for themself"),
}
# Objects whose page exists only in a later state the generic world does not reach.
STATE_404: dict[str, str] = {
    name: "the file exists once the report is made (a job renders it)"
    for name in ("command_report_pdf", "command_report_xlsx",
                 "GET /api/v1/command/reports/<report_id>/pdf",
                 "GET /api/v1/command/reports/<report_id>/xlsx")}


def callers() -> Iterator[tuple[str, Role | None]]:
    yield "anonymous", None
    for role in Role:
        yield role.value, role


def may(route: Route, role: Role) -> bool:
    rights = ROLE_RIGHTS[role]
    if str(route) in ACTUAL:
        return ACTUAL[str(route)](rights)
    return route.right is None or route.right in rights


def ask(client: Client, route: Route, url: str) -> tuple[HttpResponse, int]:
    """The answer, and how many audit rows it wrote (undone with everything else)."""
    with transaction.atomic():
        before = AuditLog.objects.count()
        response = _send(client, route, url)
        written = AuditLog.objects.count() - before
        transaction.set_rollback(True)
    return response, written


def _send(client: Client, route: Route, url: str) -> HttpResponse:
    if route.kind == "page":
        return client.generic(route.method, url)  # type: ignore[return-value]
    query = query_of(route)
    if query:
        url += "?" + urlencode(query, doseq=True)
    body = body_of(route)
    if body is None:
        return client.generic(route.method, url)  # type: ignore[return-value]
    kind, data = body
    if kind == "multipart":
        return client.post(url, data)  # type: ignore[return-value]
    return client.generic(route.method, url, data=_json(data),  # type: ignore[return-value]
                          content_type="application/json")


def _gist(response: HttpResponse) -> str:
    """The start of a JSON answer (the reason of a 403 or 422); pages give none."""
    if "json" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode(errors="replace")[:200]


def _json(data: object) -> str:
    import json

    return json.dumps(data)


def verdict(route: Route, role: Role | None, where: str, response: HttpResponse,
            written: int) -> str | None:
    """None when the answer is the expected one, else what was expected."""
    status = response.status_code
    to_login = status == 302 and "/login/?next=" in response.get("Location", "")
    if role is None:
        if route.public:
            return None if status < 500 and not to_login else "public: < 500, no login"
        if route.kind == "api":
            return None if status == 401 else "401"
        return None if to_login else "302 to /login/?next="
    if not may(route, role):
        return None if status == 403 else "403"
    if status == 403 and role in DOMAIN_403.get(str(route), (frozenset(), ""))[0]:
        return None
    if status >= 500 or status in (401, 403):
        return "allowed: not 401/403/5xx"
    return _scoped(route, role, where, response, written)


def _scoped(route: Route, role: Role, where: str, response: HttpResponse,
            written: int) -> str | None:
    status = response.status_code
    if where != "other" or role in CITY_ROLES:
        lost = status == 404 and route.method == "GET" and str(route) not in STATE_404
        return "found: not 404" if lost else None
    if status == 404:
        return None
    if route.method == "GET":
        return "other district: 404"
    refused = status in (200, 302, 400, 409, 422) and not (route.kind == "api" and status == 200)
    return None if refused and not written else "other district: 404 or refused, no write"


def run_route(route: Route, matrix: Matrix) -> list[str]:
    """Ask every caller (own and other district where the route names an object)."""
    places: list[tuple[str, World]] = [("own" if route.params else "-", matrix.own)]
    if any(p in PARAM_MODELS for p in route.params) and not route.own_only:
        places.append(("other", matrix.other))
    wrong = []
    for name, role in callers():
        if route.public and role is not None:
            continue
        for where, world in places:
            url = route.url(world)
            response, written = ask(matrix.clients[name], route, url)
            problem = verdict(route, role, where, response, written)
            if problem:
                wrong.append(f"{name:<18} {where:<5} {route.method} {url} → "
                             f"{response.status_code}, expected {problem}: {_gist(response)}")
    return wrong
