"""Routes of the cold-chain traceability pages, one list per part."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.coldchain import views_intake, views_trace

urlpatterns: list[URLPattern] = [
    *views_intake.urlpatterns,
    *views_trace.urlpatterns,
]
