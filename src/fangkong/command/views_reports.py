"""The situation reports' pages: the history of the viewer's scope with its downloads, a form
to make one now (``command.direct``), and the downloads themselves. Thin: the rules are
``reports``'. While a report of the list is being generated the rows poll themselves (HTMX)."""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.command import reports
from fangkong.command.models import ReportStatus
from fangkong.core import clock
from fangkong.core.jurisdiction import Actor
from fangkong.core.rights import Right
from fangkong.web.access import actor_of, int_param, needs
from fangkong.web.forms import DomainForm

PAGE_ROWS = 100


class ReportForm(DomainForm):
    unit_id = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)
    day = forms.DateField(label=pgettext_lazy("situation report", "Day"),
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    language = forms.ChoiceField(label=gettext_lazy("Language of the report"),
                                 choices=settings.LANGUAGES)

    def __init__(self, *args: object, actor: Actor, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        language = get_language() or settings.LANGUAGE_CODE
        unit_field = self.fields["unit_id"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = [(u.pk, u.display_name(language))
                              for u in reports.report_units(actor)]
        self.initial.setdefault("day", clock.city_today() - dt.timedelta(days=1))
        self.initial.setdefault("language", language if language in dict(settings.LANGUAGES)
                                else settings.LANGUAGE_CODE)


def _page(request: HttpRequest, form: ReportForm | None = None,
          status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    rows = reports.reports_for(actor, unit_id=int_param(request, "unit"))
    shown = list(rows[:PAGE_ROWS])
    context = {
        "reports": shown, "total": rows.count(), "limit": PAGE_ROWS,
        "pending": any(r.status == ReportStatus.PENDING for r in shown),
        "can_make": actor.can(Right.COMMAND_DIRECT),
        "languages": dict(settings.LANGUAGES),
    }
    if request.GET.get("rows") and request.headers.get("HX-Request"):
        return render(request, "command/reports_rows.html", context)
    if context["can_make"]:
        context["form"] = form or ReportForm(actor=actor)
    return render(request, "command/reports.html", context, status=status)


@needs(Right.COMMAND_VIEW)
def reports_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@needs(Right.COMMAND_DIRECT)
def report_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ReportForm(request.POST, actor=actor)
    report = form.submit(reports.do_request_report, actor=actor)
    if report is None:
        return _page(request, form=form, status=422)
    report.refresh_from_db(fields=["status"])
    if report.status == ReportStatus.READY:
        messages.success(request, _("The report is ready."))
    elif report.status == ReportStatus.FAILED:
        messages.error(request, _("The report could not be made; see the list."))
    else:
        messages.success(request, _("The report is being made; it appears below when ready."))
    return redirect(reverse("command_reports"))


def _download(request: HttpRequest, report_id: int, kind: str) -> FileResponse:
    content, name, content_type = reports.report_file(actor_of(request), report_id=report_id,
                                                      kind=kind)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name,
                        content_type=content_type)


@needs(Right.COMMAND_VIEW)
def report_pdf(request: HttpRequest, report_id: int) -> FileResponse:
    return _download(request, report_id, "pdf")


@needs(Right.COMMAND_VIEW)
def report_xlsx(request: HttpRequest, report_id: int) -> FileResponse:
    return _download(request, report_id, "xlsx")


urlpatterns: list[URLPattern] = [
    path("command/reports/", reports_page, name="command_reports"),
    path("command/reports/new/", report_new, name="command_report_new"),
    path("command/reports/<int:report_id>/pdf/", report_pdf, name="command_report_pdf"),
    path("command/reports/<int:report_id>/xlsx/", report_xlsx, name="command_report_xlsx"),
]
