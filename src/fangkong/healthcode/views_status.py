"""Staff pages of codes (HEALTHCODE_VIEW): the codes in scope by colour and pop-up with a
filterable list (names masked), and one person's code with every reason, when it ends and
what clears it, and a "recompute now" button. Thin: reads are ``queries``', the write is
``recompute.do_recompute_for``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.rights import Right
from fangkong.healthcode import queries
from fangkong.healthcode.logic import COLOURS, POPUPS
from fangkong.healthcode.models import Colour, PersonCode
from fangkong.healthcode.recompute import do_recompute_for
from fangkong.web.access import actor_of, int_param, needs

PAGE = 100


def mask_name(name: str) -> str:
    """``张小明`` → ``张*明``, ``Li Lei`` → ``L*****i``: enough to tell people apart on a
    list, not to identify them."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def shown_name(name: str, *, full: bool) -> str:
    return name if full else mask_name(name)


@needs(Right.HEALTHCODE_VIEW)
def codes_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    colour, flag = request.GET.get("colour", ""), request.GET.get("flag", "")
    qs = queries.filtered_codes(actor, colour=colour, flag=flag).select_related("grid")
    after = int_param(request, "after")
    if after is not None:
        qs = qs.filter(person_id__gt=after)
    rows = list(qs[:PAGE + 1])
    full = actor.can(Right.PII_VIEW)
    shown = [(code, shown_name(code.person.name, full=full)) for code in rows[:PAGE]]
    counts = queries.counts(actor)
    return render(request, "healthcode/status_codes.html", {
        "rows": shown, "colour": colour if colour in COLOURS else "",
        "flag": flag if flag in POPUPS else "",
        "colours": [(c, Colour(c).label, counts["colour"][c]) for c in COLOURS],
        "flags": [(f, queries.POPUP_LABELS[f], counts["flag"][f]) for f in POPUPS],
        "total": sum(counts["colour"].values()),
        "page": {"next_after": rows[PAGE - 1].person_id if len(rows) > PAGE else None}})


@needs(Right.HEALTHCODE_VIEW)
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    person = queries.person_of(actor, person_id)
    code = PersonCode.objects.select_related("policy").filter(person=person).first()
    return render(request, "healthcode/status_person.html", {
        "person": person, "code": code,
        "name": shown_name(person.name, full=actor.can(Right.PII_VIEW)),
        "reasons": queries.readable_reasons(code.reasons) if code else [],
        "flags": [(f, queries.POPUP_LABELS[f]) for f in (code.flags if code else [])
                  if f in queries.POPUP_LABELS]})


@require_POST
@needs(Right.HEALTHCODE_VIEW)
def person_recompute(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        code = do_recompute_for(actor=actor_of(request), person_id=person_id)
    except (NotFound, PermissionDenied):
        raise  # 404 / 403 from the access wrapper
    except DomainError as exc:  # no policy in force
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Code recomputed: %(colour)s.")
                         % {"colour": Colour(code.colour).label})
    return redirect("healthcode_person", person_id=person_id)


urlpatterns: list[URLPattern] = [
    path("healthcode/", codes_page, name="healthcode_codes"),
    path("healthcode/persons/<int:person_id>/", person_page, name="healthcode_person"),
    path("healthcode/persons/<int:person_id>/recompute/", person_recompute,
         name="healthcode_person_recompute"),
]
