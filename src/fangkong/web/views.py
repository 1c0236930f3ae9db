"""Logging in and out. Login failures are throttled per user name and per address
(core.throttle), and the page says how long a locked-out user must wait."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fangkong.core.throttle import clear_failures, is_locked_out, note_failure
from fangkong.web.access import client_ip


def login_page(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method != "POST":
        if request.user.is_authenticated:
            return redirect(_safe_next(request, next_url))
        return _login_form(request, next_url=next_url)
    username = request.POST.get("username", "").strip()
    password = request.POST.get("password", "")
    ip = client_ip(request)
    if is_locked_out(username=username, ip=ip):
        return _login_form(request, next_url=next_url, username=username, error=_locked())
    user = authenticate(request, username=username, password=password)
    if user is None:
        note_failure(username=username, ip=ip)
        error = _locked() if is_locked_out(username=username, ip=ip) else _(
            "Wrong user name or password.")
        return _login_form(request, next_url=next_url, username=username, error=error)
    clear_failures(username=username)
    login(request, user)
    return redirect(_safe_next(request, next_url))


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(settings.LOGOUT_REDIRECT_URL)


def _login_form(request: HttpRequest, *, next_url: str, username: str = "",
                error: str = "") -> HttpResponse:
    context = {"next": next_url, "username": username, "error": error}
    return render(request, "web/login.html", context, status=200 if not error else 401)


def _locked() -> str:
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    return ngettext(
        "Too many failed attempts; try again in %(n)d minute.",
        "Too many failed attempts; try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def _safe_next(request: HttpRequest, next_url: str) -> str:
    """Only redirect to our own pages after login (no open redirect)."""
    ok = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if next_url and ok else str(settings.LOGIN_REDIRECT_URL)
