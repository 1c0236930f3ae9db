"""Order pages: the list (filters, keyset pages), one order's timeline with its test results,
daily checks, alerts and release, new orders (from contacts or for one person), and the
printable certificate. Thin: the rules are ``orders``, ``care`` and ``release``'s."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.errors import DomainError, NotFound, PermissionDenied
from fangkong.core.jurisdiction import Actor, scope
from fangkong.core.rights import Right
from fangkong.quarantine import care, orders, release, views_board, views_policies
from fangkong.quarantine.forms_orders import CancelForm, CheckForm, OrderFilter, PersonOrderForm
from fangkong.quarantine.models import OPEN_STATUSES, QuarantineAlert, QuarantineOrder
from fangkong.tracing.models import Case, Contact, ContactType
from fangkong.tracing.views import page_of
from fangkong.web.access import actor_of, int_param, needs

PAGE_SIZE = 50
CONTACT_ROWS = 200


def filtered_orders(actor: Actor, where: OrderFilter) -> Any:
    qs = orders.orders_for(actor).select_related("person", "facility", "grid", "policy")
    data = where.cleaned_data if where.is_valid() else {}
    status = data.get("status") or ""
    if status == "":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    for name, column in (("reason", "reason"), ("facility", "facility_id"), ("grid", "grid_id")):
        if data.get(name):
            qs = qs.filter(**{column: data[name]})
    return qs.order_by("-pk")


@needs(Right.QUARANTINE_VIEW)
def orders_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    where = OrderFilter(request.GET)
    qs = filtered_orders(actor, where)
    after = int_param(request, "after")
    rows = list((qs.filter(pk__lt=after) if after else qs)[:PAGE_SIZE + 1])
    return render(request, "quarantine/orders.html", {
        "page": page_of(rows, PAGE_SIZE), "filter": where,
        "can_manage": actor.can(Right.QUARANTINE_MANAGE)})


def _order_page(request: HttpRequest, order_id: int, *, check_form: CheckForm | None = None,
                status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    order = orders.get_order(actor=actor, order_id=order_id)
    return render(request, "quarantine/order.html", {
        "order": order, "tests": order.tests.all(),
        "checks": order.checks.order_by("-day")[:60],
        "alerts": QuarantineAlert.objects.filter(order=order).order_by("-at")[:50],
        "check_form": check_form or CheckForm(), "cancel_form": CancelForm(),
        "is_open": order.status in OPEN_STATUSES, "today": orders.today(),
        "can_care": actor.can(Right.QUARANTINE_CARE),
        "can_manage": actor.can(Right.QUARANTINE_MANAGE)}, status=status)


@needs(Right.QUARANTINE_VIEW)
def order_page(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_page(request, order_id)


@require_POST
@needs(Right.QUARANTINE_CARE)
def order_check(request: HttpRequest, order_id: int) -> HttpResponse:
    form = CheckForm(request.POST)
    if form.submit(care.do_record_check, actor=actor_of(request), order_id=order_id) is None:
        return _order_page(request, order_id, check_form=form, status=422)
    messages.success(request, _("Daily check recorded."))
    return redirect("quarantine_order", order_id)


def _act(request: HttpRequest, order_id: int, action: Any, done: str) -> HttpResponse:
    """Run a one-button action; its refusal comes back as a message on the order."""
    try:
        action()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("quarantine_order", order_id)


@require_POST
@needs(Right.QUARANTINE_CARE)
def order_result(request: HttpRequest, order_id: int, test_id: int) -> HttpResponse:
    actor, result = actor_of(request), request.POST.get("result", "")
    orders.get_order(actor=actor, order_id=order_id)
    if not orders.orders_for(actor).filter(pk=order_id, tests__pk=test_id).exists():
        raise NotFound("scheduled test")
    return _act(request, order_id, lambda: care.do_record_test(
        actor=actor, test_id=test_id, result=result), _("Test result recorded."))


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def order_release(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(request, order_id, lambda: release.do_release(
        actor=actor_of(request), order_id=order_id), _("Released from the facility."))


@require_POST
@needs(Right.QUARANTINE_MANAGE)
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(request, order_id, lambda: orders.do_cancel_order(
        actor=actor_of(request), order_id=order_id, reason=request.POST.get("reason", "")),
        _("Order cancelled."))


def contacts_without_order(actor: Actor) -> list[Contact]:
    """Close and secondary contacts in the actor's scope who are neither cases nor under
    an open order, newest first."""
    open_order = QuarantineOrder.objects.filter(person=OuterRef("person"),
                                                status__in=OPEN_STATUSES)
    is_case = Case.objects.filter(person=OuterRef("person"))
    qs = scope(Contact.objects.filter(
        contact_type__in=[ContactType.CLOSE, ContactType.SECONDARY]), actor)
    return list(qs.exclude(Exists(open_order)).exclude(Exists(is_case))
                .select_related("person", "index_case").order_by("-pk")[:CONTACT_ROWS])


def _new_page(request: HttpRequest, form: PersonOrderForm | None = None,
              status: int = 200) -> HttpResponse:
    return render(request, "quarantine/order_new.html", {
        "contacts": contacts_without_order(actor_of(request)),
        "form": form or PersonOrderForm(initial={"person_id": request.GET.get("person")})},
        status=status)


@needs(Right.QUARANTINE_MANAGE)
def order_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _new_page(request)
    actor = actor_of(request)
    if "contact_ids" in request.POST or request.POST.get("from") == "contacts":
        ids = [int(v) for v in request.POST.getlist("contact_ids") if v.isdigit()]
        try:
            done = orders.do_orders_from_contacts(actor=actor, contact_ids=ids)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _new_page(request, status=422)
        messages.success(request, _("%(n)d orders made.") % {"n": len(done.created)})
        for refusal in done.refused:
            messages.warning(request, _("Contact %(id)d: %(reason)s")
                             % {"id": refusal.contact_id, "reason": refusal.reason})
        return redirect("quarantine_orders")
    form = PersonOrderForm(request.POST)
    if form.is_valid():
        try:
            order = orders.do_create_order(actor=actor, **form.values())
        except (NotFound, PermissionDenied) as exc:
            form.add_error("person_id", exc.message if isinstance(exc, PermissionDenied)
                           else _("no such person in your jurisdiction"))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Order made."))
            return redirect("quarantine_order", order.pk)
    return _new_page(request, form, status=422)


@needs(Right.QUARANTINE_VIEW)
def certificate_page(request: HttpRequest, order_id: int) -> HttpResponse:
    order = orders.get_order(actor=actor_of(request), order_id=order_id)
    if not order.certificate_no:
        raise NotFound("certificate")
    return render(request, "quarantine/certificate.html", {"order": order})


urlpatterns: list[URLPattern] = [
    path("quarantine/orders/", orders_page, name="quarantine_orders"),
    path("quarantine/orders/new", order_new, name="quarantine_order_new"),
    path("quarantine/orders/<int:order_id>/", order_page, name="quarantine_order"),
    path("quarantine/orders/<int:order_id>/check", order_check, name="quarantine_order_check"),
    path("quarantine/orders/<int:order_id>/tests/<int:test_id>/result", order_result,
         name="quarantine_order_result"),
    path("quarantine/orders/<int:order_id>/release", order_release,
         name="quarantine_order_release"),
    path("quarantine/orders/<int:order_id>/cancel", order_cancel,
         name="quarantine_order_cancel"),
    path("quarantine/orders/<int:order_id>/certificate", certificate_page,
         name="quarantine_certificate"),
    *views_board.urlpatterns,
    *views_policies.urlpatterns,
]
