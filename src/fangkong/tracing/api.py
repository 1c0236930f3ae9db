"""Tracing API: cases and their trajectories, detection, contacts, risk points, the funnel
and the chains. Handlers stay thin: resolve the actor, call one query or action, shape it."""

from django.http import HttpRequest
from ninja import Router, Status

from fangkong.api import request_actor, requires
from fangkong.core.privacy import reveal
from fangkong.core.rights import Right
from fangkong.tracing import (
    actions_cases,
    actions_contacts,
    actions_risk,
    api_contact_reports,
    chains,
    detection,
    funnel,
    queries,
)
from fangkong.tracing.schemas import (
    CaseCreate,
    CasePage,
    CaseRead,
    CaseReclassify,
    CaseUpdate,
    ClusterRead,
    ContactAdvance,
    ContactAssign,
    ContactPage,
    ContactRead,
    ContactRevealed,
    DetectionRead,
    EntryCreate,
    EntryRead,
    FunnelRead,
    FunnelRowRead,
    RiskPointRead,
    SourceLink,
    TimelineItemRead,
)

router = Router(tags=["tracing"])
router.add_router("", api_contact_reports.router)


def _next(items: list, limit: int) -> int | None:  # type: ignore[type-arg]
    return items[-1].pk if len(items) == limit and items else None


@router.get("/cases", response=CasePage)
@requires(Right.TRACING_VIEW)
def list_cases(request: HttpRequest, q: str = "", classification: str = "",
               after: int | None = None, limit: int = 50) -> dict[str, object]:
    """Newest first; ``after`` is the previous page's ``next_after``."""
    limit = max(1, min(limit, 200))
    items = queries.cases_for(actor=request_actor(request), after=after, q=q,
                              classification=classification, limit=limit)
    return {"items": [CaseRead.of(c) for c in items], "next_after": _next(items, limit)}


@router.get("/cases/{case_id}", response=CaseRead)
@requires(Right.TRACING_VIEW)
def get_case(request: HttpRequest, case_id: int) -> CaseRead:
    return CaseRead.of(queries.get_case(actor=request_actor(request), case_id=case_id))


@router.post("/cases", response={201: CaseRead})
@requires(Right.TRACING_INVESTIGATE)
def register_case(request: HttpRequest, body: CaseCreate) -> Status[CaseRead]:
    case = actions_cases.do_register_case(actor=request_actor(request), **body.dict())
    return Status(201, CaseRead.of(case))


@router.post("/cases/{case_id}/reclassify", response=CaseRead)
@requires(Right.TRACING_INVESTIGATE)
def reclassify_case(request: HttpRequest, case_id: int, body: CaseReclassify) -> CaseRead:
    return CaseRead.of(actions_cases.do_reclassify_case(
        actor=request_actor(request), case_id=case_id, **body.dict()))


@router.patch("/cases/{case_id}", response=CaseRead)
@requires(Right.TRACING_INVESTIGATE)
def update_case(request: HttpRequest, case_id: int, body: CaseUpdate) -> CaseRead:
    return CaseRead.of(actions_cases.do_update_case(
        actor=request_actor(request), case_id=case_id, **body.dict()))


@router.post("/cases/{case_id}/source", response=CaseRead)
@requires(Right.TRACING_INVESTIGATE)
def link_source(request: HttpRequest, case_id: int, body: SourceLink) -> CaseRead:
    return CaseRead.of(actions_cases.do_link_source(
        actor=request_actor(request), case_id=case_id, **body.dict()))


@router.get("/cases/{case_id}/timeline", response=list[TimelineItemRead])
@requires(Right.TRACING_VIEW)
def case_timeline(request: HttpRequest, case_id: int) -> list[queries.TimelineItem]:
    """Interview entries, check-ins and phone-location runs in the infectious window."""
    actor = request_actor(request)
    return queries.timeline_for(actor=actor, case=queries.get_case(actor=actor,
                                                                   case_id=case_id))


@router.post("/cases/{case_id}/trajectory", response={201: EntryRead})
@requires(Right.TRACING_INVESTIGATE)
def add_entry(request: HttpRequest, case_id: int, body: EntryCreate) -> Status[object]:
    return Status(201, actions_cases.do_add_entry(actor=request_actor(request),
                                                  case_id=case_id, **body.dict()))


@router.delete("/trajectory/{entry_id}", response={204: None})
@requires(Right.TRACING_INVESTIGATE)
def delete_entry(request: HttpRequest, entry_id: int) -> Status[None]:
    actions_cases.do_delete_entry(actor=request_actor(request), entry_id=entry_id)
    return Status(204, None)


@router.post("/cases/{case_id}/detect", response=DetectionRead)
@requires(Right.TRACING_INVESTIGATE)
def detect_contacts(request: HttpRequest, case_id: int) -> detection.DetectionResult:
    """Run contact detection now and store the contacts (their workflow state is kept)."""
    return detection.do_detect_contacts(actor=request_actor(request), case_id=case_id)


@router.get("/cases/{case_id}/contacts", response=list[ContactRead])
@requires(Right.TRACING_VIEW)
def case_contacts(request: HttpRequest, case_id: int, contact_type: str = ""
                  ) -> list[ContactRead]:
    actor = request_actor(request)
    case = queries.get_case(actor=actor, case_id=case_id)
    return [ContactRead.of(c) for c in queries.contacts_of_case(
        actor=actor, case=case, contact_type=contact_type)]


@router.post("/cases/{case_id}/risk-points", response={201: list[RiskPointRead]})
@requires(Right.TRACING_INVESTIGATE)
def draft_risk_points(request: HttpRequest, case_id: int) -> Status[list[RiskPointRead]]:
    """Draft points from the trajectory and check-ins; covered stays are not drafted again."""
    points = actions_risk.do_draft_risk_points(actor=request_actor(request), case_id=case_id)
    return Status(201, [RiskPointRead.of(p) for p in points])


@router.get("/contacts", response=ContactPage)
@requires(Right.TRACING_VIEW)
def list_contacts(request: HttpRequest, *, status: str = "", contact_type: str = "",
                  overdue: bool = False, after: int | None = None,
                  limit: int = 50) -> dict[str, object]:
    """The work list: contacts living in the caller's area, newest first."""
    limit = max(1, min(limit, 200))
    items = queries.contacts_for(actor=request_actor(request), status=status,
                                 contact_type=contact_type, overdue=overdue, after=after,
                                 limit=limit)
    return {"items": [ContactRead.of(c) for c in items], "next_after": _next(items, limit)}


@router.get("/contacts/{contact_id}", response=ContactRead)
@requires(Right.TRACING_VIEW)
def get_contact(request: HttpRequest, contact_id: int) -> ContactRead:
    return ContactRead.of(queries.get_contact(actor=request_actor(request),
                                              contact_id=contact_id))


@router.post("/contacts/{contact_id}/advance", response=ContactRead)
@requires(Right.CONTACT_MANAGE)
def advance_contact(request: HttpRequest, contact_id: int, body: ContactAdvance
                    ) -> ContactRead:
    return ContactRead.of(actions_contacts.do_advance_contact(
        actor=request_actor(request), contact_id=contact_id, **body.dict()))


@router.post("/contacts/{contact_id}/assign", response=ContactRead)
@requires(Right.CONTACT_MANAGE)
def assign_contact(request: HttpRequest, contact_id: int, body: ContactAssign) -> ContactRead:
    return ContactRead.of(actions_contacts.do_assign_contact(
        actor=request_actor(request), contact_id=contact_id, owner_id=body.owner_id))


@router.post("/contacts/{contact_id}/reveal", response=ContactRevealed)
@requires(Right.PII_VIEW)
def reveal_contact(request: HttpRequest, contact_id: int) -> dict[str, str]:
    """The contact's full ID-card and phone numbers, to call them; each call is audited."""
    actor = request_actor(request)
    person = queries.get_contact(actor=actor, contact_id=contact_id).person
    return reveal(actor=actor, target=person,
                  fields={"id_number": person.id_number or "", "phone": person.phone})


@router.get("/risk-points", response=list[RiskPointRead])
@requires(Right.TRACING_VIEW)
def list_risk_points(request: HttpRequest, status: str = "") -> list[RiskPointRead]:
    return [RiskPointRead.of(p) for p in queries.risk_points_for(
        actor=request_actor(request), status=status)]


@router.post("/risk-points/{point_id}/review", response=RiskPointRead)
@requires(Right.RISKPOINT_PUBLISH)
def review_risk_point(request: HttpRequest, point_id: int) -> RiskPointRead:
    """The second person: anyone with the right except the point's drafter."""
    return RiskPointRead.of(actions_risk.do_review_risk_point(
        actor=request_actor(request), point_id=point_id))


@router.post("/risk-points/{point_id}/publish", response=RiskPointRead)
@requires(Right.RISKPOINT_PUBLISH)
def publish_risk_point(request: HttpRequest, point_id: int) -> RiskPointRead:
    return RiskPointRead.of(actions_risk.do_publish_risk_point(
        actor=request_actor(request), point_id=point_id))


@router.post("/risk-points/{point_id}/withdraw", response=RiskPointRead)
@requires(Right.RISKPOINT_PUBLISH)
def withdraw_risk_point(request: HttpRequest, point_id: int) -> RiskPointRead:
    return RiskPointRead.of(actions_risk.do_withdraw_risk_point(
        actor=request_actor(request), point_id=point_id))


@router.get("/funnel", response=FunnelRead)
@requires(Right.TRACING_VIEW)
def get_funnel(request: HttpRequest, district: int | None = None) -> dict[str, object]:
    """Hours from positive result to every close contact under control, per case and
    district."""
    result = funnel.funnel_for(actor=request_actor(request), district_id=district)
    rows = [FunnelRowRead(case_id=r.case.pk, district_id=r.case.district_id,
                          **{k: getattr(r, k) for k in FunnelRowRead.model_fields
                             if k not in ("case_id", "district_id")})
            for r in result.cases]
    return {"cases": rows, "districts": result.districts}


@router.get("/chains", response=dict)
@requires(Right.TRACING_VIEW)
def get_chains(request: HttpRequest) -> dict[str, object]:
    """ECharts graph data: nodes, links (source → infected) and categories (clusters)."""
    return chains.chain_graph(actor=request_actor(request))


@router.get("/clusters", response=list[ClusterRead])
@requires(Right.TRACING_VIEW)
def list_clusters(request: HttpRequest) -> list[chains.Cluster]:
    return chains.clusters_for(actor=request_actor(request))
