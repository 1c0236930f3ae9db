"""The dated versions of the quarantine and risk-area rules side by side (rules are data:
this page shows what the database holds, parsed the way the actions parse it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from fangkong.core.errors import DomainError
from fangkong.core.rights import Right
from fangkong.quarantine.logic import REASONS
from fangkong.quarantine.models import OrderReason, QuarantinePolicy
from fangkong.quarantine.policy import rules_of as quarantine_rules_of
from fangkong.risk.logic import LEVELS
from fangkong.risk.models import RiskLevel, RiskPolicy
from fangkong.risk.policy import rules_of as risk_rules_of
from fangkong.web.access import needs


def _parsed(version: Any, parse: Any) -> dict[str, Any]:
    try:
        return {"version": version, "rules": parse(version), "error": ""}
    except DomainError as exc:
        return {"version": version, "rules": None, "error": exc.message}


def quarantine_table() -> dict[str, Any]:
    versions = [_parsed(v, quarantine_rules_of)
                for v in QuarantinePolicy.objects.order_by("effective_from", "pk")]
    rows = [(OrderReason(r).label, [v["rules"].rule_for(r) if v["rules"] else None
                                    for v in versions]) for r in REASONS]
    return {"versions": versions, "rows": rows}


def risk_table() -> dict[str, Any]:
    versions = [_parsed(v, risk_rules_of)
                for v in RiskPolicy.objects.order_by("effective_from", "pk")]
    rows = [(RiskLevel(level).label, level,
             [v["rules"].levels[level] if v["rules"] else None for v in versions])
            for level in LEVELS]
    return {"versions": versions, "rows": rows}


@needs(Right.QUARANTINE_VIEW)
def policies_page(request: HttpRequest) -> HttpResponse:
    return render(request, "quarantine/policies.html", {
        "quarantine": quarantine_table(), "risk": risk_table()})


urlpatterns: list[URLPattern] = [
    path("quarantine/policies/", policies_page, name="quarantine_policies"),
]
