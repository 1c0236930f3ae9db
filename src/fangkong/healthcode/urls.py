"""Routes of the health-code pages, one list per part (each part's views module owns its own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.healthcode import (
    views_changes,
    views_gate,
    views_public,
    views_resident,
    views_status,
)

urlpatterns: list[URLPattern] = [
    *views_status.urlpatterns,
    *views_resident.urlpatterns,
    *views_gate.urlpatterns,
    *views_changes.urlpatterns,
    *views_public.urlpatterns,
]
