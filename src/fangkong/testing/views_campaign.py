"""Campaign pages: the list (the nav entry), the create form with its unit picker, the
campaign page (areas, status actions, sites, links to the other screening pages) and the
door-to-door list. Thin: each view declares its right, parses a form and calls one query or
action. Site pages are in ``views_campaign_site``, bookings in ``views_campaign_booking``;
this module's ``urlpatterns`` lists them all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core.audit import record
from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, units_in_scope
from fangkong.core.models import AdminUnit, Level
from fangkong.core.rights import Right
from fangkong.testing import queries, queries_campaign
from fangkong.testing import views_campaign_booking as booking
from fangkong.testing import views_campaign_site as site_views
from fangkong.testing.actions_campaign import do_add_site, do_create_campaign, do_set_status
from fangkong.testing.forms_campaign import POOL_CHOICES, CampaignForm, SiteForm
from fangkong.testing.models import Campaign
from fangkong.testing.views_campaign_site import site_form
from fangkong.web.access import actor_of, needs

PICKER_LIMIT = 400
# The other screening pages, by URL name; whether each takes the campaign id.
PART_PAGES = (("screening_plan", gettext_lazy("Capacity plan"), True),
              ("screening_sampler", gettext_lazy("Sampling at the table"), False),
              ("screening_lab", gettext_lazy("Lab"), False),
              ("screening_coverage", gettext_lazy("Coverage"), True),
              ("screening_untested", gettext_lazy("Untested residents"), True),
              ("screening_retests", gettext_lazy("Retest list"), True),
              ("screening_dashboard", gettext_lazy("Progress dashboard"), True))


@needs(Right.SCREENING_VIEW)
def campaigns_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    rows = queries.campaigns_for(actor).order_by("-starts_at", "-pk")[:200]
    return render(request, "testing/campaigns.html", {
        "campaigns": rows, "can_manage": actor.can(Right.SCREENING_MANAGE)})


def _picker(actor: Actor) -> list[AdminUnit]:
    """Nodes a round may cover: the actor's node and two levels below it."""
    if actor.unit is None:
        return []
    deepest = min(actor.unit.level + 2, Level.GRID)
    return list(units_in_scope(actor).filter(level__gte=actor.unit.level, level__lte=deepest)
                .order_by("code")[:PICKER_LIMIT])


@needs(Right.SCREENING_MANAGE)
def campaign_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = CampaignForm(request.POST or None)
    chosen = {int(v) for v in request.POST.getlist("area") if v.isdigit()}
    pools = {pk: int(raw) if (raw := request.POST.get(f"pool_{pk}", "")).isdigit() else 10
             for pk in chosen}
    if request.method == "POST" and form.is_valid():
        try:
            campaign = do_create_campaign(actor=actor, areas=pools, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Round %(code)s planned.") % {"code": campaign.code})
            return redirect("screening_campaign", campaign_id=campaign.pk)
    return render(request, "testing/campaign_new.html", {
        "form": form, "pool_choices": POOL_CHOICES,
        "units": [(u, u.pk in chosen, str(pools.get(u.pk, 10))) for u in _picker(actor)]},
        status=422 if form.errors else 200)


def _part_links(campaign: Campaign) -> list[tuple[str, str]]:
    """Links to the other parts' pages; a page not built yet is left out, not an error."""
    links = []
    for name, label, with_id in PART_PAGES:
        try:
            links.append((str(label), reverse(name, args=[campaign.pk] if with_id else [])))
        except NoReverseMatch:
            continue
    return links


def _campaign_page(request: HttpRequest, campaign_id: int, *, form: SiteForm | None = None,
                   status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    campaign = queries.get_campaign(actor, campaign_id)
    if form is None:
        start = timezone.localtime(campaign.starts_at)
        form = site_form(actor, campaign, initial={
            "opens_at": start, "closes_at": min(campaign.ends_at, start + dt.timedelta(hours=6)),
            "tables": 2, "green_channel": True})
    sites = list(queries_campaign.site_rows(actor, campaign))
    return render(request, "testing/campaign.html", {
        "campaign": campaign, "areas": queries_campaign.areas_of(campaign), "sites": sites,
        "totals": _totals(sites),
        "links": _part_links(campaign), "form": form,
        "can_manage": actor.can(Right.SCREENING_MANAGE)}, status=status)


def _totals(sites: list[Any]) -> dict[str, int]:
    """Sums over the annotated site rows (``site_rows``)."""
    return {"capacity": sum(s.slot_capacity or 0 for s in sites),
            "booked": sum(s.slot_booked or 0 for s in sites),
            "tables": sum(s.tables for s in sites)}


@needs(Right.SCREENING_VIEW)
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _campaign_page(request, campaign_id)


@require_POST
@needs(Right.SCREENING_MANAGE)
def campaign_status(request: HttpRequest, campaign_id: int, act: str) -> HttpResponse:
    try:
        campaign = do_set_status(actor=actor_of(request), campaign_id=campaign_id, act=act)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The round is now %(status)s.")
                         % {"status": campaign.get_status_display()})
    return redirect("screening_campaign", campaign_id=campaign_id)


@require_POST
@needs(Right.SCREENING_MANAGE)
def site_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = site_form(actor, queries.get_campaign(actor, campaign_id), request.POST)
    if form.is_valid():
        try:
            site = do_add_site(actor=actor, campaign_id=campaign_id, **form.action_values())
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Site %(code)s added: open its slots next.")
                             % {"code": site.code})
            return redirect("screening_site", site_id=site.pk)
    return _campaign_page(request, campaign_id, form=form, status=422)


@needs(Right.SCREENING_VIEW)
def door_list_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Residents to sample at home; full phone numbers only with PII_VIEW, the read audited."""
    actor = actor_of(request)
    campaign = queries.get_campaign(actor, campaign_id)
    rows = queries_campaign.door_list(actor, campaign)
    full = actor.can(Right.PII_VIEW)
    if full and rows:
        record(actor=actor, verb="pii.read", target=None, target_type="screening.door_list",
               after={"campaign": campaign.pk, "persons": [r.person.pk for r in rows]})
    return render(request, "testing/door_list.html", {
        "campaign": campaign, "rows": rows, "full": full,
        "left": sum(1 for r in rows if not r.sampled)})


urlpatterns: list[URLPattern] = [
    path("screening/", campaigns_page, name="screening_campaigns"),
    path("screening/campaigns/new", campaign_new, name="screening_campaign_new"),
    path("screening/campaigns/<int:campaign_id>/", campaign_page, name="screening_campaign"),
    path("screening/campaigns/<int:campaign_id>/status/<slug:act>", campaign_status,
         name="screening_campaign_status"),
    path("screening/campaigns/<int:campaign_id>/sites/new", site_add,
         name="screening_site_add"),
    path("screening/campaigns/<int:campaign_id>/door-to-door/", door_list_page,
         name="screening_door_list"),
    *site_views.urlpatterns,
    *booking.urlpatterns,
]
