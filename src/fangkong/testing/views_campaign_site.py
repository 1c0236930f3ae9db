"""Site pages of a campaign: the site with its slots, and its three forms (edit the site,
open slots, issue tubes), plus the CSV of tube codes for the label printer."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, units_in_scope
from fangkong.core.models import Level
from fangkong.core.rights import Right
from fangkong.testing import queries_campaign
from fangkong.testing.actions_campaign import do_edit_site, do_issue_tubes, do_open_slots
from fangkong.testing.forms_campaign import DomainForm, SiteForm, SlotsForm, TubesForm
from fangkong.testing.models import Campaign, Lab, Site, Tube, TubeStatus
from fangkong.web.access import actor_of, int_param, needs

CSV_LIMIT = 20000


def site_form(actor: Actor, campaign: Campaign, data: Any = None, **kw: Any) -> SiteForm:
    """The site form with the grids of the round in the actor's scope and the usable labs."""
    areas = queries_campaign.areas_of(campaign)
    grids = units_in_scope(actor).filter(queries_campaign.in_areas(areas), level=Level.GRID)
    labs = Lab.objects.order_by("code")
    if actor.unit is not None and actor.unit.district_id is not None:
        labs = labs.filter(Q(district_id=actor.unit.district_id) | Q(district_id__isnull=True))
    return SiteForm(data, grids=[(g.pk, g.name) for g in grids.order_by("code")[:500]],
                    labs=[(lab.pk, lab.name) for lab in labs], **kw)


def _edit_form(request: HttpRequest, site: Site, data: Any = None) -> SiteForm:
    initial = {name: getattr(site, name) for name in
               ("name", "kind", "tables", "green_channel", "address")}
    initial |= {"opens_at": timezone.localtime(site.opens_at),
                "closes_at": timezone.localtime(site.closes_at), "lab": site.lab_id}
    return site_form(actor_of(request), site.campaign, data, initial=initial, edit=True)


def _site_page(request: HttpRequest, site_id: int, *, forms: dict[str, DomainForm] | None = None,
               status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    site = queries_campaign.get_site(actor, site_id)
    slots = list(site.slots.all())
    tubes = [(TubeStatus(row["status"]).label, row["n"]) for row in Tube.objects
             .filter(site=site).values("status").annotate(n=Count("pk")).order_by("status")]
    chosen = forms or {}
    return render(request, "testing/site.html", {
        "site": site, "campaign": site.campaign, "slots": slots,
        "booked": sum(s.booked for s in slots), "capacity": sum(s.capacity for s in slots),
        "tubes": tubes, "issued": _issued_range(request),
        "edit_form": chosen.get("edit") or _edit_form(request, site),
        "slots_form": chosen.get("slots") or SlotsForm(),
        "tubes_form": chosen.get("tubes") or TubesForm(),
        "can_manage": actor.can(Right.SCREENING_MANAGE)}, status=status)


def _issued_range(request: HttpRequest) -> tuple[int, int] | None:
    first, last = int_param(request, "first"), int_param(request, "last")
    return (first, last) if first and last else None


@needs(Right.SCREENING_VIEW)
def site_page(request: HttpRequest, site_id: int) -> HttpResponse:
    return _site_page(request, site_id)


def _act(request: HttpRequest, site_id: int, *, key: str, form: DomainForm, action: Any,
         done: str) -> HttpResponse:
    """Run one site action from a valid form; on refusal show the page with the form's
    errors (422); out of scope stays a 404."""
    if form.is_valid():
        try:
            result = action(form)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, done % result if isinstance(result, dict) else done)
            return redirect("screening_site", site_id=site_id)
    return _site_page(request, site_id, forms={key: form}, status=422)


@require_POST
@needs(Right.SCREENING_MANAGE)
def site_edit(request: HttpRequest, site_id: int) -> HttpResponse:
    actor = actor_of(request)
    site = queries_campaign.get_site(actor, site_id)
    form = _edit_form(request, site, request.POST)
    return _act(request, site_id, key="edit", form=form,
                action=lambda f: do_edit_site(actor=actor, site_id=site_id, **f.action_values()),
                done=_("Site saved; its slots follow the new hours and tables."))


@require_POST
@needs(Right.SCREENING_MANAGE)
def site_slots(request: HttpRequest, site_id: int) -> HttpResponse:
    actor = actor_of(request)

    def run(form: DomainForm) -> dict[str, Any]:
        slots = do_open_slots(actor=actor, site_id=site_id, minutes=form.cleaned_data["minutes"])
        return {"n": len(slots), "capacity": sum(s.capacity for s in slots)}

    return _act(request, site_id, key="slots", form=SlotsForm(request.POST), action=run,
                done=_("%(n)d slots opened for %(capacity)d people."))


@require_POST
@needs(Right.SCREENING_MANAGE)
def site_tubes(request: HttpRequest, site_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = TubesForm(request.POST)
    if form.is_valid():
        try:
            tubes = do_issue_tubes(actor=actor, site_id=site_id, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("%(n)d tubes issued: %(first)s … %(last)s.") % {
                "n": len(tubes), "first": tubes[0].code, "last": tubes[-1].code})
            url = reverse("screening_site", args=[site_id])
            return redirect(f"{url}?first={tubes[0].pk}&last={tubes[-1].pk}")
    return _site_page(request, site_id, forms={"tubes": form}, status=422)


@needs(Right.SCREENING_VIEW)
def site_tubes_csv(request: HttpRequest, site_id: int) -> HttpResponse:
    """Codes for the label printer: one issue (``?first=&last=`` tube ids) or every tube of
    the site not yet used."""
    site = queries_campaign.get_site(actor_of(request), site_id)
    tubes = Tube.objects.filter(site=site).order_by("pk")
    issued = _issued_range(request)
    tubes = tubes.filter(pk__range=issued) if issued else tubes.filter(
        status=TubeStatus.ISSUED)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"tubes-{site.campaign.code}-{site.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["code", "capacity", "kind", "campaign", "site"])
    for code, capacity, kind in tubes.values_list("code", "capacity", "kind")[:CSV_LIMIT]:
        writer.writerow([code, capacity, kind, site.campaign.code, site.code])
    return response


urlpatterns: list[URLPattern] = [
    path("screening/sites/<int:site_id>/", site_page, name="screening_site"),
    path("screening/sites/<int:site_id>/edit", site_edit, name="screening_site_edit"),
    path("screening/sites/<int:site_id>/slots", site_slots, name="screening_site_slots"),
    path("screening/sites/<int:site_id>/tubes", site_tubes, name="screening_site_tubes"),
    path("screening/sites/<int:site_id>/tubes.csv", site_tubes_csv,
         name="screening_site_tubes_csv"),
]
