"""Exit passes of an area: issue (within the version's household limit), list, revoke, the
recent checks at its gates, and the printable pass with its QR code. Thin: the rules are
``passes``'."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.jurisdiction import Actor, get_scoped
from fangkong.core.rights import Right
from fangkong.registry.models import Person
from fangkong.risk import passes, requests
from fangkong.risk.forms_life import PassForm
from fangkong.risk.models import ExitPass, RiskArea
from fangkong.risk.policy import risk_rules
from fangkong.risk.queries import area_for
from fangkong.testing.views_campaign_booking import mask_name
from fangkong.web.access import actor_of, needs

PICKER_LIMIT = 400


def _form(actor: Actor, area: RiskArea, data: object = None) -> PassForm:
    households = requests.households_in_areas(actor, area=area)[:PICKER_LIMIT]
    holders = Person.objects.filter(
        household__in=[h.pk for h in households], inactive_since__isnull=True,
        temporary=False).select_related("household").order_by("household__address", "name")
    return PassForm(data, households=[(h.pk, h.address) for h in households],
                    holders=[(p.pk, f"{p.name} · {p.household.address}")  # type: ignore[union-attr]
                             for p in holders[:PICKER_LIMIT]])


def _page(request: HttpRequest, area_id: int, form: PassForm | None = None,
          status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    area = area_for(actor, area_id)
    return render(request, "risk/passes.html", {
        "area": area, "rows": passes.passes_of(actor, area)[:200], "now": clock.now(),
        "checks": passes.recent_checks(actor, area=area)[:30],
        "rules": risk_rules(on=clock.city_today()),
        "form": form or _form(actor, area), "can_support": actor.can(Right.RISK_SUPPORT)},
        status=status)


@needs(Right.RISK_VIEW)
def passes_page(request: HttpRequest, area_id: int) -> HttpResponse:
    return _page(request, area_id)


@require_POST
@needs(Right.RISK_SUPPORT)
def pass_issue(request: HttpRequest, area_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = _form(actor, area_for(actor, area_id), request.POST)
    exit_pass = form.submit(passes.do_issue_pass, actor=actor, area_id=area_id)
    if exit_pass is None:
        return _page(request, area_id, form, status=422)
    messages.success(request, _("Pass %(serial)s issued.") % {"serial": exit_pass.serial})
    return redirect("risk_pass", exit_pass.pk)


@require_POST
@needs(Right.RISK_SUPPORT)
def pass_revoke(request: HttpRequest, pass_id: int) -> HttpResponse:
    exit_pass = passes.do_revoke_pass(actor=actor_of(request), pass_id=pass_id)
    messages.success(request, _("Pass %(serial)s revoked.") % {"serial": exit_pass.serial})
    return redirect("risk_passes", exit_pass.area_id)


@needs(Right.RISK_VIEW)
def pass_page(request: HttpRequest, pass_id: int) -> HttpResponse:
    """The printable pass: area, address, purpose, validity and the QR code (no ID numbers)."""
    exit_pass = get_scoped(ExitPass.objects.select_related("area", "household", "holder"),
                           actor_of(request), what="pass", pk=pass_id)
    return render(request, "risk/pass.html", {
        "p": exit_pass, "token": passes.pass_token(exit_pass), "now": clock.now(),
        "holder": mask_name(exit_pass.holder.name) if exit_pass.holder else "",
        "qr": mark_safe(passes.pass_qr_svg(exit_pass))})  # noqa: S308 (segno's own SVG)


urlpatterns: list[URLPattern] = [
    path("risk/areas/<int:area_id>/passes/", passes_page, name="risk_passes"),
    path("risk/areas/<int:area_id>/passes/issue/", pass_issue, name="risk_pass_issue"),
    path("risk/passes/<int:pass_id>/", pass_page, name="risk_pass"),
    path("risk/passes/<int:pass_id>/revoke/", pass_revoke, name="risk_pass_revoke"),
]
