"""Lab and transport pages: the lab's page (incoming boxes, receipt by typing or scanning a
code, the results upload with its per-line errors), the retest list of a round for the
emergency sampling team, and the tube and box pages with their chain of custody. Thin: each
view declares its right, parses its form and calls one action or read of ``actions_lab``,
``results`` or ``holds``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.models import AdminUnit, AuditLog
from fangkong.core.rights import Right
from fangkong.testing import actions_lab, holds, results
from fangkong.testing.models import Box, HoldStatus, ResultImport, Sample, Tube
from fangkong.testing.queries import get_campaign
from fangkong.web.access import actor_of, int_param, needs

MAX_UPLOAD = 32 * 1024 * 1024
SHOWN_ERRORS = 200


def _lab_context(actor: Actor, request: HttpRequest) -> dict[str, Any]:
    labs = list(actions_lab.labs_for(actor))
    mine = actions_lab.boxes_for(actor).filter(lab__in=labs).select_related("site", "lab") \
        .annotate(n=Count("tubes"))
    shown = None
    wanted = int_param(request, "import")
    if wanted is not None:
        shown = ResultImport.objects.filter(pk=wanted, lab__in=labs).first()
    return {
        "labs": labs, "client_key": uuid.uuid4().hex,
        "incoming": mine.filter(sealed_at__isnull=False, received_at__isnull=True)
        .order_by("handed_over_at", "pk")[:200],
        "received": mine.filter(received_at__isnull=False).order_by("-received_at")[:20],
        "imports": ResultImport.objects.filter(lab__in=labs).select_related("lab")
        .order_by("-imported_at")[:10],
        "answer": shown.answer if shown else None, "shown_errors": SHOWN_ERRORS}


@needs(Right.LAB_REPORT)
def lab_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    context = _lab_context(actor_of(request), request) | extra
    return render(request, "testing/lab.html", context, status=status)


@require_POST
@needs(Right.LAB_REPORT)
def lab_receive(request: HttpRequest) -> HttpResponse:
    """A scanned code: a box of one of the actor's labs, else a loose tube at the chosen lab."""
    actor = actor_of(request)
    code = request.POST.get("code", "").strip()[:32]
    lab_id = request.POST.get("lab", "")
    box = actions_lab.boxes_for(actor).filter(code=code).first()
    try:
        if box is not None:
            receipt = actions_lab.do_receive_box(actor=actor, box_id=box.pk)
            messages.success(request, ngettext(
                "Box %(code)s received: %(n)d tube.", "Box %(code)s received: %(n)d tubes.",
                receipt.tubes) % {"code": code, "n": receipt.tubes})
            if receipt.late:
                messages.warning(request, _("Sealed more than the allowed hours ago: %(codes)s")
                                 % {"codes": ", ".join(receipt.late[:20])})
        else:
            actions_lab.do_receive_tube(actor=actor, lab_id=int(lab_id) if lab_id.isdigit()
                                        else 0, code=code)
            messages.success(request, _("Tube %(code)s received.") % {"code": code})
    except PermissionDenied:
        raise
    except DomainError as exc:
        problem = _("No box or lab of yours by that code.") if isinstance(exc, NotFound) \
            else exc.message
        return lab_page(request, status=422, receive_error=problem, code=code)
    return redirect("screening_lab")


@require_POST
@needs(Right.LAB_REPORT)
def lab_results(request: HttpRequest) -> HttpResponse:
    """Upload a results CSV; refused files show every bad line and change nothing."""
    actor = actor_of(request)
    upload = request.FILES.get("file")
    lab_id = request.POST.get("lab", "")
    accept_good = request.POST.get("accept_good") == "on"
    try:
        if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
            raise DomainError(_("choose a CSV file of at most 32 MB"), field="file")
        answer = results.do_import_results(
            actor=actor, lab_id=int(lab_id) if lab_id.isdigit() else 0,
            client_key=request.POST.get("client_key", ""), frame=results.read_csv(upload.read()),
            filename=upload.name or "", accept_good=accept_good)
    except results.ImportRefused as refused:
        return lab_page(request, status=refused.status, answer=refused.answer, refused=True)
    except NotFound:
        return lab_page(request, status=422, upload_error=_("Choose one of your labs."))
    except PermissionDenied:
        raise
    except DomainError as exc:
        return lab_page(request, status=422, upload_error=exc.message)
    messages.success(request, _("%(n)d results imported.") % {"n": answer["imported"]})
    return redirect(reverse("screening_lab") + f"?import={answer['import_id']}#answer")


@needs(Right.SCREENING_VIEW)
def retests_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = actor_of(request)
    campaign = get_campaign(actor, campaign_id)
    rows = holds.retest_list(actor=actor, campaign_id=campaign.pk)
    grids = AdminUnit.objects.in_bulk({r.grid_id for r in rows if r.grid_id})
    found = holds.holds_for(actor=actor, campaign=campaign).values("status") \
        .annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in found}
    return render(request, "testing/retests.html", {
        "campaign": campaign, "rows": [(r, grids.get(r.grid_id or 0)) for r in rows],
        "counts": [(label, counts.get(value, 0)) for value, label in HoldStatus.choices]})


def _boxed_at(tube: Tube) -> Any:
    """When the tube went into its box: the box audit row whose scan lists it."""
    if tube.box_id is None:
        return None
    rows = AuditLog.objects.filter(verb="screening.box.add", target_type="screening.box",
                                   target_id=str(tube.box_id)).order_by("at")
    return next((r.at for r in rows if tube.code in (r.after or {}).get("tubes", [])), None)


def custody(tube: Tube) -> list[tuple[str, Any, str]]:
    """The tube's chain of custody: (step, time, detail); a step not reached has no time."""
    box: Box | None = tube.box
    return [
        (_("issued"), None, tube.site.name if tube.site else ""),
        (_("opened at the table"), tube.opened_at, ""),
        (_("sealed"), tube.sealed_at, ngettext("%(n)d person", "%(n)d people", tube.members)
         % {"n": tube.members}),
        (_("boxed"), _boxed_at(tube), box.code if box else ""),
        (_("handed over"), box.handed_over_at if box else None, box.courier if box else ""),
        (_("received"), tube.received_at, tube.lab.name if tube.lab else ""),
        (_("resulted"), tube.resulted_at, tube.get_result_display() if tube.result else ""),
    ]


@needs(Right.SCREENING_VIEW)
def tube_page(request: HttpRequest, tube_id: int) -> HttpResponse:
    actor = actor_of(request)
    tube = actions_lab.get_tube(actor, tube_id)
    members = scope(Sample.objects.filter(tube=tube), actor).select_related("person") \
        .order_by("sampled_at", "pk")
    return render(request, "testing/tube.html", {
        "tube": tube, "steps": custody(tube), "members": members})


@needs(Right.SCREENING_VIEW)
def box_page(request: HttpRequest, box_id: int) -> HttpResponse:
    box = actions_lab.get_box(actor_of(request), box_id)
    steps = [(_("sealed"), box.sealed_at, ""), (_("handed over"), box.handed_over_at, box.courier),
             (_("received"), box.received_at, box.lab.name if box.lab else "")]
    return render(request, "testing/box.html", {
        "box": box, "steps": steps, "tubes": box.tubes.order_by("code")})


urlpatterns: list[URLPattern] = [
    path("screening/lab/", lab_page, name="screening_lab"),
    path("screening/lab/receive/", lab_receive, name="screening_lab_receive"),
    path("screening/lab/results/", lab_results, name="screening_lab_results"),
    path("screening/campaigns/<int:campaign_id>/retests/", retests_page,
         name="screening_retests"),
    path("screening/tubes/<int:tube_id>/", tube_page, name="screening_tube"),
    path("screening/boxes/<int:box_id>/", box_page, name="screening_box"),
]
