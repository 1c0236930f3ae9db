"""Routes of the early-warning pages, one list per part (each part's views module owns its
own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.warning import (
    views_anomaly,
    views_arrivals,
    views_followups,
    views_selfreport,
    views_sentinel,
)

urlpatterns: list[URLPattern] = [
    *views_sentinel.urlpatterns,
    *views_followups.urlpatterns,
    *views_anomaly.urlpatterns,
    *views_arrivals.urlpatterns,
    *views_selfreport.urlpatterns,
]
