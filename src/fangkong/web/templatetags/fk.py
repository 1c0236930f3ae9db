"""Template helpers: names in the page's language, masked personal numbers, keyset links."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.translation import get_language

from fangkong.core.models import AdminUnit
from fangkong.core.privacy import mask_id_number, mask_phone

register = template.Library()


@register.filter
def unit_name(unit: AdminUnit | None) -> str:
    """The unit's name in the active language (English falls back to the Chinese name)."""
    if unit is None:
        return ""
    return unit.display_name(get_language() or "")


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value) if value else "—"


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value) if value else "—"


@register.simple_tag
def page_link(request: HttpRequest, **changes: object) -> str:
    """The current query string with ``changes`` applied (None drops a key), for next/first."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None and value != "":
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else request.path
