"""Routes of the supplies and prices pages, one list per part."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.supplies import views_overview, views_reports

urlpatterns: list[URLPattern] = [*views_overview.urlpatterns, *views_reports.urlpatterns]
