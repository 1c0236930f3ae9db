"""Routes of the vaccination pages, one list per part."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.vaccination import views_coverage, views_doses

urlpatterns: list[URLPattern] = [
    *views_coverage.urlpatterns,
    *views_doses.urlpatterns,
]
