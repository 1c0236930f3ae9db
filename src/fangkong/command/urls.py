"""Routes of the command-centre pages, one list per part (each part's views module owns its
own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.command import views_dashboard, views_reports, views_tasks

urlpatterns: list[URLPattern] = [
    *views_dashboard.urlpatterns,
    *views_tasks.urlpatterns,
    *views_reports.urlpatterns,
]
