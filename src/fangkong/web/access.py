"""How a page learns who is asking: ``@needs(Right.X)`` resolves the actor, sends anonymous
visitors to the login page, and turns domain errors into the HTTP answers pages share
(out of scope or missing → 404, missing right → 403)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from fangkong.core.errors import NotFound, PermissionDenied
from fangkong.core.jurisdiction import client_ip, request_actor
from fangkong.core.rights import Right

# Pages and the API share one way of resolving the actor; the names read well in views.
actor_of = request_actor
__all__ = ["actor_of", "client_ip", "int_param", "needs"]

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def needs(right: Right) -> Callable[[View], View]:
    """Declare and enforce the one right a page needs."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = actor_of(request)
            if not actor.can(right):
                raise HttpForbidden(right.value)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except PermissionDenied as exc:
                raise HttpForbidden(exc.message) from None

        wrapper.required_right = right  # type: ignore[attr-defined]
        return cast(View, wrapper)

    return decorate


def int_param(request: HttpRequest, name: str) -> int | None:
    """A positive integer query parameter, or None when absent or malformed."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None
