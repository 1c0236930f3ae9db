"""The gate keeper's pages, made for a phone: the gates they may check, and one gate with a
big input that a USB or Bluetooth scanner (which types the token and Enter) or a person fills,
a big green PASS or red STOP with the reason, and the last checks. Works without JavaScript;
``gate.js`` keeps the focus in the input and clears it for the next scan."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from fangkong.core.errors import Conflict
from fangkong.core.jurisdiction import get_scoped
from fangkong.core.rights import Right
from fangkong.risk import passes
from fangkong.risk.models import CheckResult, Gate, PassCheck
from fangkong.testing.views_campaign_booking import mask_name
from fangkong.web.access import actor_of, needs

RECENT = 15


@needs(Right.GATE_CHECK)
def gates_page(request: HttpRequest) -> HttpResponse:
    return render(request, "risk/gates.html", {"gates": passes.gates_for(actor_of(request))})


def _answer(check: PassCheck) -> dict[str, object]:
    exit_pass = check.exit_pass
    return {"check": check, "ok": check.result == CheckResult.PASS,
            "reason": check.get_result_display(), "pass": exit_pass,
            "holder": mask_name(exit_pass.holder.name) if exit_pass and exit_pass.holder
            else ""}


@require_http_methods(["GET", "POST"])
@needs(Right.GATE_CHECK)
def gate_page(request: HttpRequest, gate_id: int) -> HttpResponse:
    actor = actor_of(request)
    gate = get_scoped(Gate.objects.select_related("area"), actor, what="gate", pk=gate_id)
    answer: dict[str, object] = {}
    error, status = "", 200
    if request.method == "POST":
        try:
            answer = _answer(passes.check_pass_at_gate(
                actor=actor, gate_id=gate.pk, token=request.POST.get("token", "")))
        except Conflict as exc:
            error, status = exc.message, 409
    return render(request, "risk/gate.html", {
        "gate": gate, "answer": answer, "error": error,
        "recent": passes.recent_checks(actor, gate=gate)[:RECENT]}, status=status)


urlpatterns: list[URLPattern] = [
    path("risk/gates/", gates_page, name="risk_gates"),
    path("risk/gates/<int:gate_id>/", gate_page, name="risk_gate"),
]
