"""Reads of codes, always scoped by jurisdiction (a code is Placed at its person's residence),
and the reasons made ready for display (the ``_reasons.html`` partial takes them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import Actor, get_scoped, scope
from fangkong.healthcode.logic import COLOURS, POPUPS
from fangkong.healthcode.models import DrugClass, PersonCode
from fangkong.quarantine.models import OrderKind
from fangkong.registry.models import Person
from fangkong.risk.models import RiskLevel

POPUP_LABELS = {
    "risk_link": _("space-time link: report to the community"),
    "pool_hold": _("positive pool: stay in place for a retest"),
    "test_missing": _("missing test: take a test"),
}


def codes_for(actor: Actor) -> QuerySet[PersonCode]:
    """The codes of the people living in the actor's subtree."""
    return scope(PersonCode.objects.select_related("person"), actor)


def code_of(actor: Actor, person_id: int) -> PersonCode:
    """One person's code (404 when the person is missing, out of scope, or has none yet)."""
    return get_scoped(PersonCode.objects.select_related("person", "policy"), actor,
                      what="health code", person_id=person_id)


def person_of(actor: Actor, person_id: int) -> Person:
    return get_scoped(Person.objects.all(), actor, what="person", pk=person_id)


def filtered_codes(actor: Actor, *, colour: str = "", flag: str = "") -> QuerySet[PersonCode]:
    """Codes in scope of one colour and/or carrying one pop-up flag (unknown values: ignored).
    Flags are matched on the JSON text (``"pool_hold"`` with its quotes), which SQLite and
    PostgreSQL both answer; flag names are checked against ``POPUPS`` first."""
    qs = codes_for(actor)
    if colour in COLOURS:
        qs = qs.filter(colour=colour)
    if flag in POPUPS:
        qs = qs.annotate(flags_text=Cast("flags", TextField())).filter(
            flags_text__contains=f'"{flag}"')
    return qs.order_by("person_id")


def counts(actor: Actor) -> dict[str, dict[str, int]]:
    """Codes in scope by colour and by pop-up flag (every value present, zero when none)."""
    rows = codes_for(actor).order_by().values("colour").annotate(n=Count("pk"))
    by_colour = {row["colour"]: row["n"] for row in rows}
    return {"colour": {c: by_colour.get(c, 0) for c in COLOURS},
            "flag": {f: filtered_codes(actor, flag=f).count() for f in POPUPS}}


def _when(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def readable_reasons(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored reasons with their times parsed and their detail's codes given labels."""
    shown = []
    for r in reasons:
        detail = r.get("detail") or {}
        extra: dict[str, Any] = {}
        if "kind" in detail and detail["kind"] in OrderKind.values:
            extra["kind_label"] = OrderKind(detail["kind"]).label
        if "level" in detail and detail["level"] in RiskLevel.values:
            extra["level_label"] = RiskLevel(detail["level"]).label
        if "drug_classes" in detail:
            extra["drugs_label"] = ", ".join(
                str(DrugClass(d).label) if d in DrugClass.values else d
                for d in detail["drug_classes"])
        if r.get("popup") in POPUP_LABELS:
            extra["popup_label"] = POPUP_LABELS[r["popup"]]
        shown.append({**r, **extra, "detail": detail, "since": _when(r.get("since")),
                      "until": _when(r.get("until"))})
    return shown
