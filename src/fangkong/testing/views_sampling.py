"""The sampler's page: a phone at a sampling table. The page is one HTML shell; the work is
done in ``static/testing/sampler.js`` against the sampling API, so it carries on offline
(events queued on the device, uploaded with a client key when the network returns)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from fangkong.core.jurisdiction import scope
from fangkong.core.rights import Right
from fangkong.testing.models import CampaignStatus, Site
from fangkong.testing.queries import campaigns_for
from fangkong.web.access import actor_of, needs


@needs(Right.SCREENING_SAMPLE)
def sampler_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    running = campaigns_for(actor).filter(status=CampaignStatus.RUNNING).values("pk")
    sites = (scope(Site.objects.filter(campaign__in=running), actor)
             .select_related("campaign").order_by("campaign__starts_at", "code"))
    config = {
        "user": actor.username,
        "api": reverse("api:screening_sampling_batches").rsplit("/", 1)[0],
        "sites": [_site(s) for s in sites],
        "strings": _strings(),
    }
    return render(request, "testing/sampler.html", {"config": config,
                                                    "has_sites": bool(config["sites"])})


def _site(site: Site) -> dict[str, Any]:
    return {"id": site.pk, "code": site.code, "name": site.name, "kind": site.kind,
            "campaign": site.campaign_id, "campaign_name": site.campaign.name}


def _strings() -> dict[str, str]:
    """What the script says, in the request's language (the script has no catalogue)."""
    return {
        "online": _("Online"),
        "offline": _("Offline: scans are kept on this phone"),
        "waiting": _("%(n)s batch(es) waiting to upload"),
        "all_sent": _("Everything uploaded"),
        "pick_site": _("Choose your site first."),
        "tubes_loaded": _("%(n)s tubes of this site loaded for offline checks."),
        "tubes_failed": _("Could not load the tube list; checks will be done on upload."),
        "unknown_tube": _("Tube %(tube)s is not in this site's list: use another tube, or "
                          "refresh the list when online."),
        "tube_sealed": _("Tube %(tube)s is already sealed: open a new tube."),
        "seal_first": _("Seal tube %(tube)s before opening another."),
        "tube_opened": _("Tube %(tube)s open: scan the residents."),
        "no_tube": _("Scan or type a tube code first."),
        "tube_full": _("Tube %(tube)s is full (%(capacity)s): seal it."),
        "bad_id": _("ID number %(id)s is not valid (check digit): scan or type it again."),
        "twice_here": _("%(id)s was already scanned on this phone in this round (tube "
                        "%(tube)s): not added again."),
        "already_sampled": _("%(name)s %(id)s was already sampled in this round: not added "
                             "again."),
        "single_tube": _("%(name)s %(id)s must be swabbed alone: use a single tube."),
        "not_on_hold": _("%(id)s is not held for a retest: a retest tube is only for them."),
        "visitor_needed": _("%(id)s is not in the registry: type the visitor's name and "
                            "phone, then add again."),
        "added": _("Added %(name)s %(id)s."),
        "added_visitor": _("Added visitor %(name)s %(id)s: registered on upload."),
        "added_offline": _("Added %(id)s (offline: checked again on upload)."),
        "sealed": _("Tube %(tube)s sealed with %(n)s people."),
        "empty": _("Tube %(tube)s is empty: nothing to seal."),
        "uploaded": _("Batch uploaded: %(people)s people stored, %(rejected)s to fix."),
        "resent": _("(It had already been stored: nothing was stored twice.)"),
        "login_again": _("Your session has ended: log in again to upload (scans are kept)."),
        "batch_refused": _("The server refused a whole batch: %(detail)s"),
        "retry": _("Upload failed; trying again in %(s)s s."),
        "none_to_fix": _("Nothing to fix."),
        "dismiss": _("Done"),
        "send_again": _("Send again"),
    }


urlpatterns = [
    path("screening/sampler/", sampler_page, name="screening_sampler"),
]
