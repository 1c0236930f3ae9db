"""Routes of the hotline pages, one list per part (each part's views module owns its own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.hotline import views_followup, views_tickets

urlpatterns: list[URLPattern] = [
    *views_tickets.urlpatterns,
    *views_followup.urlpatterns,
]
