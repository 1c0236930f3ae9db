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

from collections import Counter
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
_API = "/api/v1/"


def _all_of(*rights: Right) -> Callable[[frozenset[Right]], bool]:
    return lambda held: set(rights) <= held


def _any_of(*rights: Right) -> Callable[[frozenset[Right]], bool]:
    return lambda held: bool(set(rights) & held)


# Views that check other rights than the one they declare (route → who is let in).
ACTUAL: dict[str, Callable[[frozenset[Right]], bool]] = {
    # full numbers of a ticket's caller or a contact: pii.view and the module's view right
    "hotline_ticket_reveal": _all_of(R.PII_VIEW, R.HOTLINE_VIEW),
    f"POST {_API}hotline/tickets/<ticket_id>/reveal": _all_of(R.PII_VIEW, R.HOTLINE_VIEW),
    f"POST {_API}tracing/contacts/<contact_id>/reveal": _all_of(R.PII_VIEW, R.TRACING_VIEW),
    # a checkpoint records arrivals, and so may a warning manager
    "warning_checkpoint": _any_of(R.CHECKPOINT, R.WARNING_MANAGE),
    "warning_arrivals_upload": _any_of(R.CHECKPOINT, R.WARNING_MANAGE),
    f"POST {_API}warning/arrivals": _any_of(R.CHECKPOINT, R.WARNING_MANAGE),
    f"POST {_API}warning/arrivals.csv": _any_of(R.CHECKPOINT, R.WARNING_MANAGE),
    # declared hotline.handle; an agent (hotline.take) writes notes too
    f"POST {_API}hotline/tickets/<ticket_id>/notes": _any_of(R.HOTLINE_HANDLE, R.HOTLINE_TAKE),
}
_TASK_RULE = ("a task is acted on by the unit it was given to (to reopen: the unit that "
              "issued it), not by the city")
_TASK_ROUTES = ("command_task_acknowledge", "command_task_close",
                *(f"POST {_API}command/tasks/<task_id>/{act}"
                  for act in ("acknowledge", "close", "progress", "reopen")))
# Domain rules that answer 403 to some roles holding the right (route → roles, reason).
DOMAIN_403: dict[str, tuple[frozenset[Role], str]] = {
    **dict.fromkeys(_TASK_ROUTES, (frozenset(CITY_ROLES), _TASK_RULE)),
    f"POST {_API}risk/requests/<request_id>/assign": (
        frozenset({Role.VOLUNTEER}), "a volunteer may only claim a request for themself"),
}
# Objects whose file exists only in a later state the generic world does not reach.
STATE_404: dict[str, str] = dict.fromkeys(
    ("command_report_pdf", "command_report_xlsx", f"GET {_API}command/reports/<report_id>/pdf",
     f"GET {_API}command/reports/<report_id>/xlsx"),
    "the file exists once the report is made (a job renders it)")


# What the matrix checked this run, by kind of expectation (printed at the end of the run).
CHECKS: Counter[str] = Counter()


def kind_of_check(route: Route, role: Role | None, where: str) -> str:
    if role is None:
        return "public page, anonymous" if route.public else "anonymous refused"
    if not may(route, role):
        return "missing right → 403"
    if where == "other" and role not in CITY_ROLES:
        return "other district → 404 / no write"
    return "right held, object found" if where != "-" else "right held"


def callers() -> Iterator[tuple[str, Role | None]]:
    yield "anonymous", None
    for role in Role:
        yield role.value, role


def may(route: Route, role: Role) -> bool:
    rights = ROLE_RIGHTS[role]
    if str(route) in ACTUAL:
        return ACTUAL[str(route)](rights)
    return route.right is None or route.right in rights


def ask(client: Client, route: Route, url: str,
        world: World) -> tuple[HttpResponse, int, str]:
    """The answer, how many audit rows it wrote (undone with everything else), its text."""
    with transaction.atomic():
        before = AuditLog.objects.count()
        response = _send(client, route, url, world)
        streamed = getattr(response, "streaming", False)
        body = b"".join(response) if streamed else response.content  # type: ignore[arg-type]
        written = AuditLog.objects.count() - before
        transaction.set_rollback(True)
    return response, written, body.decode(errors="replace")


def _send(client: Client, route: Route, url: str, world: World) -> HttpResponse:
    if route.kind == "page":
        return client.generic(route.method, url)  # type: ignore[return-value]
    query = query_of(route, world)
    if query:
        url += "?" + urlencode(query, doseq=True)
    body = body_of(route, world)
    if body is None:
        return client.generic(route.method, url)  # type: ignore[return-value]
    kind, data = body
    if kind == "multipart":
        return client.post(url, data)  # type: ignore[return-value]
    return client.generic(route.method, url, data=_json(data),  # type: ignore[return-value]
                          content_type="application/json")


def _gist(response: HttpResponse) -> str:
    """The start of a JSON answer (the reason of a 403 or 422); pages give none."""
    if "json" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")[:200]


def _json(data: object) -> str:
    import json

    return json.dumps(data)


def verdict(route: Route, role: Role | None, where: str, response: HttpResponse,
            written: int) -> str | None:
    """None when the answer is the expected one, else what was expected."""
    status = response.status_code
    if role is None:
        return _anonymous(route, response)
    if not may(route, role):
        return None if status == 403 else "403"
    if status == 403 and role in DOMAIN_403.get(str(route), (frozenset(), ""))[0]:
        return None
    if status >= 500 or status in (401, 403):
        return "allowed: not 401/403/5xx"
    return _scoped(route, role, where, response, written)


def _anonymous(route: Route, response: HttpResponse) -> str | None:
    status = response.status_code
    to_login = status == 302 and "/login/?next=" in response.get("Location", "")
    if route.public:
        return None if status < 500 and not to_login else "public: < 500, no login"
    if route.kind == "api":
        return None if status == 401 else "401"
    return None if to_login else "302 to /login/?next="


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


def leaks(text: str, matrix: Matrix) -> list[str]:
    """Full ID-card or phone numbers of the city's residents in an answer."""
    return [number for number in matrix.numbers if number in text]


def run_route(route: Route, matrix: Matrix) -> list[str]:
    """Ask every caller (own and other district where the route names an object); a caller
    without pii.view must never be shown a full number, whatever the route."""
    places: list[tuple[str, World]] = [("own" if route.params else "-", matrix.own)]
    if any(p in PARAM_MODELS for p in route.params) and not route.own_only:
        places.append(("other", matrix.other))
    wrong = []
    for name, role in callers():
        if route.public and role is not None:
            continue
        for where, world in places:
            url = route.url(world)
            response, written, text = ask(matrix.clients[name], route, url, world)
            problem = verdict(route, role, where, response, written)
            kind = kind_of_check(route, role, where)
            CHECKS[kind] += 1
            if kind.startswith("right held") and response.status_code < 300:
                CHECKS[f" {kind}: answered 2xx"] += 1
            if kind.startswith("other") and response.status_code == 404:
                CHECKS[f" {kind}: answered 404"] += 1
            if role is None or Right.PII_VIEW not in ROLE_RIGHTS[role]:
                CHECKS["no full number without pii.view"] += 1
                shown = leaks(text, matrix)
                if shown:
                    problem = f"masked numbers, saw {shown[:2]}"
            if problem:
                wrong.append(f"{name:<18} {where:<5} {route.method} {url} → "
                             f"{response.status_code}, expected {problem}: {_gist(response)}")
    return wrong
