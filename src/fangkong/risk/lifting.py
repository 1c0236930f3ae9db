"""Lowering and lifting areas by policy, never without a person's approval.

A daily job (``tasks.propose_lifting``) evaluates every active area under the version in force
that day and keeps exactly one pending ``LiftProposal`` per area whose next step is due, with
the evidence; a proposal whose conditions stopped holding is withdrawn. ``do_decide_proposal``
re-checks the conditions at decision time and only then lowers or lifts the area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.audit import record, snapshot
from fangkong.core.errors import Conflict
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.risk.evidence import AreaFacts, area_facts, local_day
from fangkong.risk.logic import LIFTED, Step, assess_step
from fangkong.risk.models import (
    AreaEvent,
    AreaStatus,
    EventKind,
    LiftProposal,
    ProposalStatus,
    RiskArea,
    RiskPolicy,
)
from fangkong.risk.policy import risk_policy_in_force, rules_of
from fangkong.risk.queries import active_areas, proposal_for

SYSTEM = Actor(user_id=None, username="system:risk-lifting", unit=None)


@dataclass(frozen=True)
class Evaluation:
    step: Step
    facts: AreaFacts
    version: RiskPolicy
    today: dt.date

    def evidence(self) -> dict[str, Any]:
        """What a proposal records: the numbers the decision rests on, and the version."""
        f, s = self.facts, self.step
        return {"day": str(self.today), "version": self.version.name,
                "target": s.target, "clean_days": s.clean_days,
                "required_days": s.required_days,
                "last_case_day": str(f.last_case_day) if f.last_case_day else None,
                "round_required": s.round_required,
                "round_day": (str(f.last_negative_round_day)
                              if f.last_negative_round_day else None),
                "by_district": s.by_district, "district_clear": s.district_clear}


def evaluate(area: RiskArea, *, today: dt.date) -> Evaluation:
    """The area's next step under the version in force on ``today``."""
    version = risk_policy_in_force(on=today)
    rules = rules_of(version)
    facts = area_facts(area, rules=rules)
    step = assess_step(level=area.level, designated_level=area.designated_level, today=today,
                       last_case_day=facts.last_case_day,
                       level_since_day=local_day(area.level_since),
                       district_has_higher=facts.district_has_higher,
                       last_negative_round_day=facts.last_negative_round_day, rules=rules)
    return Evaluation(step=step, facts=facts, version=version, today=today)


def to_level_of(target: str) -> str:
    """A proposal stores the lifting as an empty ``to_level``."""
    return "" if target == LIFTED else target


def _withdraw(proposal: LiftProposal, *, actor: Actor, why: str) -> None:
    before = snapshot(proposal)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.decided_at = clock.now()
    proposal.note = why
    proposal.save(update_fields=["status", "decided_at", "note"])
    record(actor=actor, verb="risk.proposal.withdraw", target=proposal, before=before,
           after=snapshot(proposal))


def _propose(area: RiskArea, evaluation: Evaluation) -> LiftProposal:
    proposal = LiftProposal(area=area, to_level=to_level_of(evaluation.step.target),
                            proposed_at=clock.now(), evidence=evaluation.evidence())
    proposal.district_id, proposal.street_id = area.district_id, area.street_id
    proposal.community_id, proposal.grid_id = area.community_id, area.grid_id
    proposal.save(force_insert=True)
    record(actor=SYSTEM, verb="risk.proposal.propose", target=proposal,
           after=snapshot(proposal))
    return proposal


def review_area(area: RiskArea, *, today: dt.date, actor: Actor = SYSTEM) -> str:
    """Bring the area's pending proposal in line with its conditions (caller holds the
    transaction and the area's lock): "proposed", "withdrawn", "kept" or "none"."""
    pending = area.proposals.filter(status=ProposalStatus.PENDING).first()
    evaluation = evaluate(area, today=today) if area.status == AreaStatus.ACTIVE else None
    due = evaluation is not None and evaluation.step.due
    if pending is not None:
        if due and evaluation and pending.to_level == to_level_of(evaluation.step.target):
            return "kept"
        _withdraw(pending, actor=actor, why=_("the conditions no longer hold"))
    if due and evaluation is not None:
        _propose(area, evaluation)
        return "proposed"
    return "withdrawn" if pending is not None else "none"


def do_propose_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Evaluate every active area (one transaction each); counts of what changed."""
    today = today or local_day(clock.now())
    counts = {"proposed": 0, "withdrawn": 0, "kept": 0, "none": 0}
    for area_id in active_areas().order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            area = RiskArea.objects.select_for_update().get(pk=area_id)
            counts[review_area(area, today=today)] += 1
    return counts


def _apply(area: RiskArea, *, target: str, actor: Actor, note: str) -> None:
    """Lower the area to ``target`` or lift it, with its public event and an audit row."""
    now, before = clock.now(), snapshot(area)
    level_from = area.level
    if target == LIFTED:
        area.status, area.lifted_at = AreaStatus.LIFTED, now
        kind, level_to, verb = EventKind.LIFTED, "", "risk.area.lift"
    else:
        area.level, area.level_since = target, now
        kind, level_to, verb = EventKind.DOWNGRADED, target, "risk.area.lower"
    area.save()
    AreaEvent.objects.create(area=area, at=now, kind=kind, level_from=level_from,
                             level_to=level_to, note=note[:300], actor_id=actor.user_id)
    record(actor=actor, verb=verb, target=area, before=before, after=snapshot(area))


def do_decide_proposal(*, actor: Actor, proposal_id: int, approve: bool,
                       note: str = "") -> LiftProposal:
    """Approve (re-checking the conditions today, then applying) or reject a proposal."""
    actor.require(Right.RISK_APPROVE)
    with transaction.atomic():
        proposal = proposal_for(actor, proposal_id)
        area = RiskArea.objects.select_for_update().get(pk=proposal.area_id)
        proposal = LiftProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise Conflict(_("this proposal was already decided"), field="proposal_id")
        before = snapshot(proposal)
        if approve:
            _check_still_due(area, proposal)
            target = proposal.to_level or LIFTED
            _apply(area, target=target, actor=actor, note=note.strip())
        proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
        proposal.decided_by_id, proposal.decided_at = actor.user_id, clock.now()
        proposal.note = note.strip()
        proposal.save(update_fields=["status", "decided_by", "decided_at", "note"])
        verb = "risk.proposal.approve" if approve else "risk.proposal.reject"
        record(actor=actor, verb=verb, target=proposal, before=before, after=snapshot(proposal))
    return proposal


def _check_still_due(area: RiskArea, proposal: LiftProposal) -> None:
    """Refuse an approval whose conditions no longer hold on the day of the decision."""
    if area.status != AreaStatus.ACTIVE:
        raise Conflict(_("the area is already lifted"), field="proposal_id")
    evaluation = evaluate(area, today=local_day(clock.now()))
    step = evaluation.step
    if not step.due or to_level_of(step.target) != proposal.to_level:
        raise Conflict(_("the conditions no longer hold (%(why)s): the proposal cannot be "
                         "approved") % {"why": describe_unmet(step)}, field="proposal_id")


def describe_unmet(step: Step) -> str:
    """Which condition of a step is not met, in words."""
    if not step.district_clear:
        return _("the district still has a sealed or controlled area")
    if step.required_days is not None and (step.clean_days or 0) < step.required_days:
        return _("%(n)d of %(m)d clean days") % {"n": step.clean_days or 0,
                                                 "m": step.required_days}
    if not step.round_held:
        return _("no negative whole-area screening round in the days required")
    return _("the next step is now a different one")
