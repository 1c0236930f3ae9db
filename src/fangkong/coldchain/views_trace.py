"""Cold-chain pages, trace part: positive samples with their traces (``coldchain_samples``),
one trace (``coldchain_trace``: a graph of the places, tables of places, batches and
handlers) and acting on it (``coldchain_trace_act``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.coldchain import actions_trace, handlers, queries, trace
from fangkong.coldchain.models import SampleKind
from fangkong.core.rights import Right
from fangkong.web.access import actor_of, needs
from fangkong.web.forms import WHEN, DomainForm


class SampleForm(DomainForm):
    place_id = forms.TypedChoiceField(label=gettext_lazy("Place"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Sample of"), choices=SampleKind.choices)
    batch_code = forms.CharField(label=gettext_lazy("Batch code"), max_length=40,
                                 required=False)
    sampled_at = forms.DateTimeField(label=gettext_lazy("Sampled at"), widget=WHEN)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, places: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place_id"].choices = places  # type: ignore[attr-defined]


def _samples_page(request: HttpRequest, form: SampleForm | None = None, *,
                  status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    places = [(p.pk, f"{p.venue.name} ({p.venue.venue_code})")
              for p in queries.places_for(actor)]
    samples = list(queries.samples_for(actor)[:100])
    traces = {t.sample_id: t for t in trace.visible_traces(actor).filter(
        sample__in=samples).order_by("run_at")}
    return render(request, "coldchain/samples.html", {
        "rows": [(s, traces.get(s.pk)) for s in samples],
        "form": form or SampleForm(places=places),
        "can_trace": actor.can(Right.COLDCHAIN_TRACE)}, status=status)


@needs(Right.COLDCHAIN_VIEW)
def samples_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _samples_page(request)
    actor = actor_of(request)
    actor.require(Right.COLDCHAIN_TRACE)
    places = [(p.pk, p.venue.name) for p in queries.places_for(actor)]
    form = SampleForm(request.POST, places=places)
    sample = form.submit(trace.do_report_sample, actor=actor)
    if sample is None:
        return _samples_page(request, form, status=422)
    messages.success(request, _("The positive sample is recorded; trace it."))
    return redirect("coldchain_samples")


@require_POST
@needs(Right.COLDCHAIN_TRACE)
def run_trace(request: HttpRequest, sample_id: int) -> HttpResponse:
    row = trace.do_run_trace(actor=actor_of(request), sample_id=sample_id)
    return redirect("coldchain_trace", trace_id=row.pk)


def _chart(view: trace.TraceView) -> dict[str, Any]:
    """Nodes (the port and the places shown) and links (the positive batches' movements
    between them) for the ECharts graph; places of other districts are not shown."""
    nodes = [{"id": str(h.place_id), "name": h.place.venue.name, "kind": h.direction,
              "start": h.start.isoformat(), "end": h.end.isoformat()} for h in view.hits]
    links = trace.links(view)
    if any(src == "port" for src, _ in links):
        nodes.insert(0, {"id": "port", "name": _("port of entry"), "kind": "port",
                         "start": "", "end": ""})
    return {"nodes": nodes, "links": [{"source": a, "target": b} for a, b in links]}


@needs(Right.COLDCHAIN_VIEW)
def trace_page(request: HttpRequest, trace_id: int) -> HttpResponse:
    actor = actor_of(request)
    view = trace.trace_view(actor, trace_id=trace_id)
    return render(request, "coldchain/trace.html", {
        "v": view, "chart": _chart(view), "handler_rows": handlers.with_states(view.handlers),
        "can_act": actor.can(Right.COLDCHAIN_TRACE)})


@require_POST
@needs(Right.COLDCHAIN_TRACE)
def act(request: HttpRequest, trace_id: int) -> HttpResponse:
    done = actions_trace.do_act_on_trace(actor=actor_of(request), trace_id=trace_id)
    messages.success(request, _("%(points)d risk points drafted for review; %(people)d "
                                "handlers due for a test now.")
                     % {"points": done.risk_points, "people": done.handlers_due})
    return redirect("coldchain_trace", trace_id=trace_id)


urlpatterns: list[URLPattern] = [
    path("coldchain/samples/", samples_page, name="coldchain_samples"),
    path("coldchain/samples/<int:sample_id>/trace", run_trace, name="coldchain_run_trace"),
    path("coldchain/traces/<int:trace_id>/", trace_page, name="coldchain_trace"),
    path("coldchain/traces/<int:trace_id>/act", act, name="coldchain_trace_act"),
]
