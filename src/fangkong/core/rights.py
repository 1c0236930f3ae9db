"""The one table from roles to rights. Routes and actions name a right; users hold roles."""

from __future__ import annotations

from enum import StrEnum


class Right(StrEnum):
    REGISTRY_VIEW = "registry.view"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT = "registry.export"
    REGISTRY_CORRECT = "registry.correct"
    PII_VIEW = "pii.view"  # see ID-card and phone numbers in full (each read audited)
    AUDIT_VIEW = "audit.view"
    APPROVAL_DECIDE = "approval.decide"
    USERS_MANAGE = "users.manage"
    TRACING_VIEW = "tracing.view"  # cases, trajectories, contacts, chains, funnel
    TRACING_INVESTIGATE = "tracing.investigate"  # register cases, interview, run detection
    CONTACT_MANAGE = "tracing.contact_manage"  # notify, locate, transfer contacts of one's grid
    RISKPOINT_PUBLISH = "tracing.riskpoint_publish"  # review and publish risk points
    SCREENING_VIEW = "screening.view"  # campaigns, plans, coverage, progress, untested lists
    SCREENING_MANAGE = "screening.manage"  # plan and run campaigns, sites, slots, exemptions
    SCREENING_SAMPLE = "screening.sample"  # scan tubes and residents at a table, seal, box
    LAB_REPORT = "screening.lab_report"  # receive boxes, report results
    RISK_VIEW = "risk.view"  # risk areas, their requests, roster, passes and history
    RISK_MANAGE = "risk.manage"  # designate and change areas, gates
    RISK_APPROVE = "risk.approve"  # approve or reject a proposed lowering or lifting
    RISK_SUPPORT = "risk.support"  # enter and fulfil requests, daily roster checks, issue passes
    GATE_CHECK = "risk.gate_check"  # check exit passes at an area's gate
    QUARANTINE_VIEW = "quarantine.view"  # facilities, rooms, orders, checks, capacity
    QUARANTINE_MANAGE = "quarantine.manage"  # facilities, rooms, orders, transport, release
    QUARANTINE_CARE = "quarantine.care"  # daily checks and test results of people in one's care
    HEALTHCODE_VIEW = "healthcode.view"  # residents' codes with their reasons, appeals, alerts
    HEALTHCODE_CHANGE = "healthcode.change"  # request a manual change (a second person approves)
    HEALTHCODE_GATE = "healthcode.gate"  # a door's device: upload offline scans and check-ins
    HEALTHCODE_REPORT = "healthcode.report"  # pharmacies and stations report sales and arrivals
    HOTLINE_VIEW = "hotline.view"  # tickets of one's unit, their history, the rates per street
    HOTLINE_TAKE = "hotline.take"  # take calls: open, route, call back and close tickets
    HOTLINE_HANDLE = "hotline.handle"  # a street's answer: respond to and resolve its tickets
    COMMAND_VIEW = "command.view"  # the dashboard, directives, supervision, situation reports
    COMMAND_DIRECT = "command.direct"  # issue directives, make situation reports
    COMMAND_TASK = "command.task"  # acknowledge, progress and close the tasks of one's unit
    WARNING_VIEW = "warning.view"  # sentinel reports, anomalies, arrivals, follow-up lists
    WARNING_FOLLOW = "warning.follow_up"  # close the follow-ups of one's grid with an outcome
    WARNING_MANAGE = "warning.manage"  # risk origins, anomaly decisions, arrival uploads
    CLINIC_REPORT = "warning.clinic_report"  # a fever clinic reports its visits
    CHECKPOINT = "warning.checkpoint"  # a station or road checkpoint records arrivals
    SIMULATION_VIEW = "simulation.view"  # scenarios and their compared results
    SIMULATION_RUN = "simulation.run"  # set up and run scenarios
    SUPPLIES_VIEW = "supplies.view"  # stock and prices of key goods, their alerts and map
    SUPPLIES_REPORT = "supplies.report"  # an outlet reports its daily stock and prices
    SUPPLIES_MANAGE = "supplies.manage"  # outlets, alert decisions, uploads for many outlets
    COLDCHAIN_VIEW = "coldchain.view"  # imported frozen batches, movements, handlers, traces
    COLDCHAIN_RECORD = "coldchain.record"  # a cold store records batches, movements, handlers
    COLDCHAIN_TRACE = "coldchain.trace"  # record positive samples, trace them, act on a trace
    VACCINATION_VIEW = "vaccination.view"  # doses, coverage, the unvaccinated elderly per grid
    VACCINATION_RECORD = "vaccination.record"  # a vaccination site or system records doses
    VACCINATION_VISIT = "vaccination.visit"  # record the outcome of a door-to-door visit


class Role(StrEnum):
    CITY_ADMIN = "city_admin"
    COMMANDER = "commander"
    DISTRICT_OFFICER = "district_officer"
    STREET_WORKER = "street_worker"
    GRID_WORKER = "grid_worker"
    TRACER = "tracer"
    SAMPLER = "sampler"
    LAB_STAFF = "lab_staff"
    QUARANTINE_MANAGER = "quarantine_manager"
    QUARANTINE_STAFF = "quarantine_staff"
    VOLUNTEER = "volunteer"
    GATE_KEEPER = "gate_keeper"
    DOOR_STAFF = "door_staff"
    PHARMACY = "pharmacy"
    HOTLINE_AGENT = "hotline_agent"
    CLINIC = "clinic"
    CHECKPOINT = "checkpoint"
    MARKET = "market"
    COLD_STORE = "cold_store"
    VACCINATOR = "vaccinator"
    AUDITOR = "auditor"
    VIEWER = "viewer"


ROLE_RIGHTS: dict[Role, frozenset[Right]] = {
    Role.CITY_ADMIN: frozenset(Right),
    Role.COMMANDER: frozenset(
        {Right.REGISTRY_VIEW, Right.REGISTRY_EXPORT, Right.AUDIT_VIEW, Right.APPROVAL_DECIDE,
         Right.TRACING_VIEW, Right.SCREENING_VIEW, Right.RISK_VIEW, Right.RISK_APPROVE,
         Right.QUARANTINE_VIEW, Right.HEALTHCODE_VIEW, Right.HOTLINE_VIEW, Right.COMMAND_VIEW,
         Right.COMMAND_DIRECT, Right.WARNING_VIEW, Right.SIMULATION_VIEW, Right.SIMULATION_RUN,
         Right.SUPPLIES_VIEW, Right.COLDCHAIN_VIEW, Right.VACCINATION_VIEW}
    ),
    Role.DISTRICT_OFFICER: frozenset(
        {
            Right.REGISTRY_VIEW,
            Right.REGISTRY_IMPORT,
            Right.REGISTRY_EXPORT,
            Right.REGISTRY_CORRECT,
            Right.APPROVAL_DECIDE,
            Right.AUDIT_VIEW,
            Right.TRACING_VIEW,
            Right.TRACING_INVESTIGATE,
            Right.CONTACT_MANAGE,
            Right.RISKPOINT_PUBLISH,
            Right.SCREENING_VIEW,
            Right.SCREENING_MANAGE,
            Right.RISK_VIEW,
            Right.RISK_MANAGE,
            Right.RISK_APPROVE,
            Right.RISK_SUPPORT,
            Right.QUARANTINE_VIEW,
            Right.QUARANTINE_MANAGE,
            Right.HEALTHCODE_VIEW,
            Right.HEALTHCODE_CHANGE,
            Right.HOTLINE_VIEW,
            Right.HOTLINE_HANDLE,
            Right.COMMAND_VIEW,
            Right.COMMAND_DIRECT,
            Right.COMMAND_TASK,
            Right.WARNING_VIEW,
            Right.WARNING_FOLLOW,
            Right.WARNING_MANAGE,
            Right.SIMULATION_VIEW,
            Right.SIMULATION_RUN,
            Right.SUPPLIES_VIEW,
            Right.SUPPLIES_MANAGE,
            Right.COLDCHAIN_VIEW,
            Right.COLDCHAIN_TRACE,
            Right.VACCINATION_VIEW,
            Right.VACCINATION_VISIT,
        }
    ),
    Role.STREET_WORKER: frozenset({Right.REGISTRY_VIEW, Right.REGISTRY_CORRECT, Right.PII_VIEW,
                                   Right.TRACING_VIEW, Right.CONTACT_MANAGE,
                                   Right.SCREENING_VIEW, Right.SCREENING_MANAGE,
                                   Right.RISK_VIEW, Right.RISK_SUPPORT, Right.QUARANTINE_VIEW,
                                   Right.QUARANTINE_CARE, Right.HEALTHCODE_VIEW,
                                   Right.HOTLINE_VIEW, Right.HOTLINE_HANDLE,
                                   Right.COMMAND_VIEW, Right.COMMAND_TASK, Right.WARNING_VIEW,
                                   Right.WARNING_FOLLOW, Right.SUPPLIES_VIEW,
                                   Right.VACCINATION_VIEW, Right.VACCINATION_VISIT}),
    Role.GRID_WORKER: frozenset({Right.REGISTRY_VIEW, Right.PII_VIEW, Right.TRACING_VIEW,
                                 Right.CONTACT_MANAGE, Right.SCREENING_VIEW, Right.RISK_VIEW,
                                 Right.RISK_SUPPORT, Right.QUARANTINE_VIEW,
                                 Right.QUARANTINE_CARE, Right.HEALTHCODE_VIEW,
                                 Right.WARNING_VIEW, Right.WARNING_FOLLOW,
                                 Right.VACCINATION_VIEW, Right.VACCINATION_VISIT}),
    Role.TRACER: frozenset({Right.REGISTRY_VIEW, Right.PII_VIEW, Right.TRACING_VIEW,
                            Right.TRACING_INVESTIGATE, Right.CONTACT_MANAGE,
                            Right.RISKPOINT_PUBLISH, Right.COLDCHAIN_VIEW,
                            Right.COLDCHAIN_TRACE}),
    # A sampler needs to see a resident only as a name at the table, never in full.
    Role.SAMPLER: frozenset({Right.SCREENING_SAMPLE}),
    Role.LAB_STAFF: frozenset({Right.LAB_REPORT}),
    Role.QUARANTINE_MANAGER: frozenset({Right.QUARANTINE_VIEW, Right.QUARANTINE_MANAGE,
                                        Right.QUARANTINE_CARE, Right.PII_VIEW}),
    Role.QUARANTINE_STAFF: frozenset({Right.QUARANTINE_VIEW, Right.QUARANTINE_CARE}),
    # Volunteers deliver to doors: they see requests (phones masked) and mark them done.
    Role.VOLUNTEER: frozenset({Right.RISK_VIEW, Right.RISK_SUPPORT}),
    Role.GATE_KEEPER: frozenset({Right.GATE_CHECK}),
    # A door's staff see pass or stop on their device, never who the person is.
    Role.DOOR_STAFF: frozenset({Right.HEALTHCODE_GATE}),
    Role.PHARMACY: frozenset({Right.HEALTHCODE_REPORT}),
    # Agents read the registry to route a call and see phones in full to call back (audited).
    # A clinic and a checkpoint report who came; they read nothing back.
    Role.CLINIC: frozenset({Right.CLINIC_REPORT}),
    Role.CHECKPOINT: frozenset({Right.CHECKPOINT, Right.HEALTHCODE_REPORT}),
    # A market or supermarket reports its own stock and prices; a cold store its batches,
    # movements and handlers; a vaccination site its doses. None reads anything else.
    Role.MARKET: frozenset({Right.SUPPLIES_REPORT}),
    Role.COLD_STORE: frozenset({Right.COLDCHAIN_RECORD}),
    Role.VACCINATOR: frozenset({Right.VACCINATION_RECORD}),
    Role.HOTLINE_AGENT: frozenset({Right.HOTLINE_VIEW, Right.HOTLINE_TAKE, Right.REGISTRY_VIEW,
                                   Right.PII_VIEW, Right.HEALTHCODE_VIEW}),
    Role.AUDITOR: frozenset({Right.AUDIT_VIEW, Right.REGISTRY_VIEW}),
    Role.VIEWER: frozenset({Right.REGISTRY_VIEW}),
}


def rights_for(roles: list[str]) -> frozenset[Right]:
    """Union of the rights of known roles; unknown role names grant nothing."""
    granted: set[Right] = set()
    for name in roles:
        if name in Role.__members__.values():
            granted |= ROLE_RIGHTS[Role(name)]
    return frozenset(granted)
