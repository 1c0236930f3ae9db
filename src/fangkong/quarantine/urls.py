"""Routes of the quarantine pages, one list per part (each part's views module owns its own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.quarantine import views_capacity, views_facility, views_orders

urlpatterns: list[URLPattern] = [
    *views_facility.urlpatterns,
    *views_orders.urlpatterns,
    *views_capacity.urlpatterns,
]
