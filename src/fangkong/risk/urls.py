"""Routes of the risk-area pages, one list per part (each part's views module owns its own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.risk import views_area, views_gate, views_life, views_public

urlpatterns: list[URLPattern] = [
    *views_area.urlpatterns,
    *views_public.urlpatterns,
    *views_life.urlpatterns,
    *views_gate.urlpatterns,
]
