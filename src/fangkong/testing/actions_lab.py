"""Transport: sealed tubes into a box at a site, the box sealed, handed to a courier and
received by its lab, each step timestamped and audited (the chain of custody: transporter and
receiver both sign, china-practice §6.3). A tube that travels alone is received on its own.

Who sees what: boxes and tubes are placed at their site's grid, so organisers and samplers see
those of sites in their subtree; lab staff (LAB_REPORT) also see boxes and tubes addressed to
labs placed in their subtree.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict, DomainError, NotFound
from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.core.rights import Right
from fangkong.testing.models import Box, Lab, Site, Tube, TubeStatus
from fangkong.testing.policy import campaign_policy

CODE_MAX = 32


def labs_for(actor: Actor) -> QuerySet[Lab]:
    return scope(Lab.objects.all(), actor).order_by("code")


def _visible(actor: Actor, placed: QuerySet[Any], by_lab: Q) -> Q | None:
    """Organisers and samplers see by the site's place, lab staff by the lab; neither, none."""
    parts = []
    if actor.can(Right.SCREENING_VIEW) or actor.can(Right.SCREENING_SAMPLE):
        parts.append(Q(pk__in=scope(placed, actor).values("pk")))
    if actor.can(Right.LAB_REPORT):
        parts.append(by_lab)
    return reduce(operator.or_, parts) if parts and actor.unit is not None else None


def boxes_for(actor: Actor) -> QuerySet[Box]:
    """Boxes of sites in the actor's subtree; for lab staff, those addressed to their labs."""
    labs = labs_for(actor).values("pk")
    where = _visible(actor, Box.objects.all(), Q(lab__in=labs))
    return Box.objects.none() if where is None else Box.objects.filter(where)


def tubes_for(actor: Actor) -> QuerySet[Tube]:
    labs = labs_for(actor).values("pk")
    where = _visible(actor, Tube.objects.all(), Q(lab__in=labs) | Q(box__lab__in=labs))
    return Tube.objects.none() if where is None else Tube.objects.filter(where)


def get_box(actor: Actor, box_id: int) -> Box:
    box = boxes_for(actor).select_related("site", "lab", "campaign").filter(pk=box_id).first()
    if box is None:
        raise NotFound("box")
    return box


def get_tube(actor: Actor, tube_id: int) -> Tube:
    tube = (tubes_for(actor).select_related("site", "lab", "box", "campaign")
            .filter(pk=tube_id).first())
    if tube is None:
        raise NotFound("tube")
    return tube


def _locked_box(actor: Actor, box_id: int) -> Box:
    """The box, locked, if the actor may see it (a missing box and a foreign one look alike)."""
    get_box(actor, box_id)
    return Box.objects.select_for_update().get(pk=box_id)


def do_create_box(*, actor: Actor, site_id: int, code: str, lab_id: int | None = None) -> Box:
    """An empty box at a site, addressed to the site's lab unless another is named."""
    actor.require(Right.SCREENING_SAMPLE)
    code = code.strip()
    if not code or len(code) > CODE_MAX:
        raise DomainError(_("a box code has 1 to %(n)d characters") % {"n": CODE_MAX},
                          field="code")
    with transaction.atomic():
        site = get_scoped(Site.objects.select_related("campaign"), actor, what="site",
                          pk=site_id)
        lab = Lab.objects.filter(pk=lab_id).first() if lab_id is not None else site.lab
        if lab is None:
            raise DomainError(_("the site has no lab: name the lab the box goes to"),
                              field="lab_id")
        if Box.objects.filter(code=code).exists():
            raise Conflict(_("box %(code)s exists already") % {"code": code}, field="code")
        box = Box(campaign=site.campaign, code=code, site=site, lab=lab)
        _place(box, site)
        box.save()
        record(actor=actor, verb="screening.box.create", target=box, after=snapshot(box))
    return box


def _place(row: Box, site: Site) -> None:
    row.district_id, row.street_id = site.district_id, site.street_id
    row.community_id, row.grid_id = site.community_id, site.grid_id


def _refusal(tube: Tube | None, code: str, box: Box) -> str | None:
    """Why a scanned tube may not go into the box, or None."""
    if tube is None:
        return _("tube %(code)s is not known") % {"code": code}
    if tube.campaign_id != box.campaign_id:
        return _("tube %(code)s belongs to another round") % {"code": code}
    if tube.box_id is not None:
        return _("tube %(code)s is already in a box") % {"code": code}
    if tube.status != TubeStatus.SEALED:
        return _("tube %(code)s is not sealed") % {"code": code}
    return None


def do_box_tubes(*, actor: Actor, box_id: int, codes: list[str]) -> Box:
    """Put sealed tubes of the box's round into it; one refused tube refuses the scan."""
    actor.require(Right.SCREENING_SAMPLE)
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise DomainError(_("scan at least one tube"), field="codes")
    with transaction.atomic():
        box = _locked_box(actor, box_id)
        if box.sealed_at is not None:
            raise Conflict(_("the box is sealed"), field="box")
        visible = scope(Tube.objects.select_for_update(), actor).filter(code__in=wanted)
        found = {t.code: t for t in visible}
        for code in wanted:
            problem = _refusal(found.get(code), code, box)
            if problem:
                raise DomainError(problem, field="codes")
        limit = campaign_policy(box.campaign).tubes_per_box
        if box.tubes.count() + len(wanted) > limit:
            raise DomainError(_("a box holds at most %(n)d tubes") % {"n": limit},
                              field="codes")
        Tube.objects.filter(pk__in=[t.pk for t in found.values()]).update(
            status=TubeStatus.BOXED, box=box)
        record(actor=actor, verb="screening.box.add", target=box, after={"tubes": wanted})
    return box


def do_seal_box(*, actor: Actor, box_id: int) -> Box:
    actor.require(Right.SCREENING_SAMPLE)
    with transaction.atomic():
        box = _locked_box(actor, box_id)
        if box.sealed_at is not None:
            raise Conflict(_("the box is sealed already"), field="box")
        if not box.tubes.exists():
            raise DomainError(_("an empty box is not sealed"), field="box")
        box.sealed_at, box.sealed_by_id = clock.now(), actor.user_id
        box.save(update_fields=["sealed_at", "sealed_by"])
        record(actor=actor, verb="screening.box.seal", target=box,
               after={"sealed_at": str(box.sealed_at), "tubes": box.tubes.count()})
    return box


def do_hand_over(*, actor: Actor, box_id: int, courier: str) -> Box:
    """The courier signs for a sealed box (the transporter's half of the hand-over)."""
    actor.require(Right.SCREENING_SAMPLE)
    courier = courier.strip()
    if not courier or len(courier) > 64:
        raise DomainError(_("name the courier (up to 64 characters)"), field="courier")
    with transaction.atomic():
        box = _locked_box(actor, box_id)
        if box.sealed_at is None:
            raise Conflict(_("seal the box before handing it over"), field="box")
        if box.handed_over_at is not None:
            raise Conflict(_("the box was handed over already"), field="box")
        box.courier, box.handed_over_at = courier, clock.now()
        box.save(update_fields=["courier", "handed_over_at"])
        record(actor=actor, verb="screening.box.hand_over", target=box,
               after={"courier": courier, "handed_over_at": str(box.handed_over_at)})
    return box


@dataclass(frozen=True)
class Receipt:
    """What the lab signed for; ``late`` are tubes sealed longer ago than the policy's
    room-temperature limit (``receipt_hours``, ≤ 4 h)."""

    box: Box
    tubes: int
    late: list[str]


def _late(tubes: QuerySet[Tube], now: dt.datetime, hours: float) -> list[str]:
    cutoff = now - dt.timedelta(hours=hours)
    return sorted(tubes.filter(sealed_at__lt=cutoff).values_list("code", flat=True))


def do_receive_box(*, actor: Actor, box_id: int) -> Receipt:
    """The lab's half of the hand-over: every tube of the box is received, at the box's lab."""
    actor.require(Right.LAB_REPORT)
    with transaction.atomic():
        found = boxes_for(actor).filter(pk=box_id, lab__in=labs_for(actor).values("pk"))
        if not found.exists():
            raise NotFound("box")
        box = Box.objects.select_for_update().select_related("campaign").get(pk=box_id)
        if box.handed_over_at is None:
            raise Conflict(_("the box has not been handed over to a courier"), field="box")
        if box.received_at is not None:
            raise Conflict(_("the box was received already"), field="box")
        now = clock.now()
        box.received_at, box.received_by_id = now, actor.user_id
        box.save(update_fields=["received_at", "received_by"])
        inside = Tube.objects.filter(box=box, status=TubeStatus.BOXED)
        late = _late(inside, now, campaign_policy(box.campaign).receipt_hours)
        count = inside.update(status=TubeStatus.RECEIVED, lab=box.lab_id, received_at=now)
        record(actor=actor, verb="screening.box.receive", target=box,
               after={"received_at": str(now), "tubes": count, "late": late})
    return Receipt(box=box, tubes=count, late=late)


def do_receive_tube(*, actor: Actor, lab_id: int, code: str) -> Tube:
    """A sealed tube brought on its own (not in a box) to one of the actor's labs."""
    actor.require(Right.LAB_REPORT)
    with transaction.atomic():
        lab = get_scoped(Lab.objects.all(), actor, what="lab", pk=lab_id)
        tube = (Tube.objects.select_for_update().select_related("campaign")
                .filter(code=code.strip()).first())
        if tube is None:
            raise DomainError(_("tube %(code)s is not known") % {"code": code}, field="code")
        if tube.box_id is not None:
            raise Conflict(_("tube %(code)s travels in a box: receive the box")
                           % {"code": tube.code}, field="code")
        if tube.status != TubeStatus.SEALED:
            raise Conflict(_("tube %(code)s is %(status)s, not sealed")
                           % {"code": tube.code, "status": tube.get_status_display()},
                           field="code")
        tube.status, tube.lab, tube.received_at = TubeStatus.RECEIVED, lab, clock.now()
        tube.save(update_fields=["status", "lab", "received_at"])
        record(actor=actor, verb="screening.tube.receive", target=tube,
               after={"lab": lab.code, "received_at": str(tube.received_at)})
    return tube
