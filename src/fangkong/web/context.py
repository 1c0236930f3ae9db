"""Template context shared by every page: navigation and the actor's node."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from fangkong.web.access import actor_of
    from fangkong.web.nav import nav_for

    if not request.user.is_authenticated:
        return {"nav": [], "actor": None}
    return {"nav": nav_for(request), "actor": actor_of(request)}
