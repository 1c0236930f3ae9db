"""The sidebar: every module of the platform, with the right each needs. Modules not built yet
are listed as disabled "coming" entries so the shape of the platform is visible from day one."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.core.rights import Right


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str | None  # None: the module is coming and has no page yet
    right: Right | None = None
    icon: str = "•"
    also: tuple[str, ...] = ()  # other pages that belong to this entry, for highlighting


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str | None
    icon: str
    active: bool
    coming: bool


ENTRIES: tuple[NavEntry, ...] = (
    NavEntry(_("Map"), "home", Right.REGISTRY_VIEW, "◎",
             ("unit", "grid_buildings", "building", "household")),
    NavEntry(_("Residents"), "persons", Right.REGISTRY_VIEW, "☰", ("person", "person_reveal")),
    NavEntry(_("Venues"), "venues", Right.REGISTRY_VIEW, "⌂"),
    NavEntry(_("Import"), "registry_import", Right.REGISTRY_IMPORT, "⇪"),
    NavEntry(_("Export"), "registry_export", Right.REGISTRY_EXPORT, "⇩"),
    NavEntry(_("Approvals"), "approvals", Right.APPROVAL_DECIDE, "✓"),
    NavEntry(_("Audit log"), "audit", Right.AUDIT_VIEW, "≡"),
    NavEntry(_("Testing and screening"), "screening_campaigns", Right.SCREENING_VIEW, "⚗",
             ("screening_campaign", "screening_campaign_new", "screening_site",
              "screening_door_list", "screening_bookings")),
    NavEntry(_("Cases"), "tracing_cases", Right.TRACING_VIEW, "✚",
             ("tracing_case", "tracing_case_register", "tracing_case_reclassify",
              "tracing_case_update", "tracing_case_source", "tracing_case_entry")),
    NavEntry(_("Contacts"), "tracing_contacts", Right.TRACING_VIEW, "⤳"),
    NavEntry(_("Reported contacts"), "tracing_contact_reports", Right.TRACING_INVESTIGATE, "✆"),
    NavEntry(_("Risk points"), "tracing_risk_points", Right.TRACING_VIEW, "⚑"),
    NavEntry(_("24-hour funnel"), "tracing_funnel", Right.TRACING_VIEW, "◔"),
    NavEntry(_("Transmission chains"), "tracing_chains", Right.TRACING_VIEW, "⚯"),
    NavEntry(_("Risk areas"), "risk_areas", Right.RISK_VIEW, "▲",
             ("risk_area", "risk_area_new", "risk_proposals", "risk_roster", "risk_passes",
              "risk_pass")),
    NavEntry(_("Sealed-area requests"), "risk_requests", Right.RISK_VIEW, "✉",
             ("risk_household",)),
    NavEntry(_("Gate checks"), "risk_gates", Right.GATE_CHECK, "⛩", ("risk_gate",)),
    NavEntry(_("Quarantine"), "quarantine_orders", Right.QUARANTINE_VIEW, "⌂",
             ("quarantine_order", "quarantine_order_new", "quarantine_certificate",
              "quarantine_board")),
    NavEntry(_("Quarantine facilities"), "quarantine_facilities", Right.QUARANTINE_VIEW, "▣",
             ("quarantine_facility", "quarantine_assign", "quarantine_batches",
              "quarantine_batch")),
    NavEntry(_("Quarantine capacity"), "quarantine_capacity", Right.QUARANTINE_VIEW, "◫",
             ("quarantine_alerts", "quarantine_policies")),
    NavEntry(_("Health code"), "healthcode_codes", Right.HEALTHCODE_VIEW, "▦",
             ("healthcode_person", "healthcode_appeals", "healthcode_venues",
              "healthcode_venue_poster")),
    NavEntry(_("Manual code changes"), "healthcode_changes", Right.HEALTHCODE_VIEW, "✎",
             ("healthcode_abuse",)),
    NavEntry(_("Door checks"), "healthcode_gate", Right.HEALTHCODE_GATE, "⛨"),
    NavEntry(_("Pharmacy and arrival reports"), "healthcode_reports", Right.HEALTHCODE_REPORT,
             "℞"),
    NavEntry(_("Follow-up list"), "warning_followups", Right.WARNING_VIEW, "☑",
             ("warning_followup_close", "warning_untested")),
    NavEntry(_("Sentinel anomalies"), "warning_anomalies", Right.WARNING_VIEW, "⚠",
             ("warning_anomaly_decide",)),
    NavEntry(_("Arrivals"), "warning_arrivals", Right.WARNING_VIEW, "✈",
             ("warning_arrivals_upload", "warning_origins", "warning_origin_end")),
    NavEntry(_("Checkpoint"), "warning_checkpoint", Right.CHECKPOINT, "⛿"),
    NavEntry(_("Fever clinic"), "warning_clinic", Right.CLINIC_REPORT, "⚕",
             ("warning_clinic_csv", "warning_clinic_visit")),
    NavEntry(_("Command dashboard"), "command_dashboard", Right.COMMAND_VIEW, "◈",
             ("command_dashboard_live",)),
    NavEntry(_("Directives and tasks"), "command_directives", Right.COMMAND_VIEW, "➤",
             ("command_directive", "command_directive_new")),
    NavEntry(_("My unit's tasks"), "command_tasks", Right.COMMAND_TASK, "☑", ("command_task",)),
    NavEntry(_("Supervision"), "command_supervision", Right.COMMAND_VIEW, "⚖"),
    NavEntry(_("Situation reports"), "command_reports", Right.COMMAND_VIEW, "▤",
             ("command_report_new",)),
    NavEntry(_("Hotline tickets"), "hotline_tickets", Right.HOTLINE_VIEW, "☎",
             ("hotline_ticket", "hotline_ticket_new")),
    NavEntry(_("Hotline rates"), "hotline_rates", Right.HOTLINE_VIEW, "☏",
             ("hotline_callbacks",)),
    NavEntry(_("Supplies and prices"), "supplies_overview", Right.SUPPLIES_VIEW, "⚖",
             ("supplies_alerts", "supplies_alert_decide")),
    NavEntry(_("Stock and price report"), "supplies_report", Right.SUPPLIES_REPORT, "✎",
             ("supplies_report_day",)),
    NavEntry(_("Supply reports upload"), "supplies_upload", Right.SUPPLIES_MANAGE, "⇪",
             ("supplies_upload_csv",)),
    NavEntry(_("Cold-chain batches"), "coldchain_batches", Right.COLDCHAIN_VIEW, "❄",
             ("coldchain_batch",)),
    NavEntry(_("Cold-chain samples and traces"), "coldchain_samples", Right.COLDCHAIN_VIEW, "⌖",
             ("coldchain_trace", "coldchain_run_trace", "coldchain_trace_act")),
    NavEntry(_("Cold-chain handlers"), "coldchain_handlers", Right.COLDCHAIN_VIEW, "☺"),
    NavEntry(_("Cold-chain records"), "coldchain_record", Right.COLDCHAIN_RECORD, "✎",
             ("coldchain_upload",)),
    NavEntry(_("Vaccination coverage"), "vaccination_coverage", Right.VACCINATION_VIEW, "✚"),
    NavEntry(_("Unvaccinated elderly"), "vaccination_elderly", Right.VACCINATION_VIEW, "☏",
             ("vaccination_visit",)),
    NavEntry(_("Record doses"), "vaccination_record", Right.VACCINATION_RECORD, "✎",
             ("vaccination_upload",)),
    NavEntry(_("Simulation"), "simulation_scenarios", Right.SIMULATION_VIEW, "∿",
             ("simulation_scenario", "simulation_scenario_new", "simulation_compare")),
    NavEntry(_("Analytics"), None, icon="∑"),
)


def nav_for(request: HttpRequest) -> list[NavItem]:
    """Entries the request's actor may open, plus the coming modules; empty when anonymous."""
    if not request.user.is_authenticated:
        return []
    from fangkong.web.access import actor_of

    actor = actor_of(request)
    current = request.resolver_match.url_name if request.resolver_match else None
    items = []
    for entry in ENTRIES:
        if entry.url_name is None:
            items.append(NavItem(entry.label, None, entry.icon, active=False, coming=True))
        elif entry.right is None or actor.can(entry.right):
            items.append(NavItem(entry.label, reverse(entry.url_name), entry.icon,
                                 active=current in (entry.url_name, *entry.also), coming=False))
    return items
