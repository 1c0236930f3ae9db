"""Routes of the screening pages, one list per part (each part's views module owns its own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.testing import (
    views_campaign,
    views_coverage,
    views_lab,
    views_labs,
    views_plan,
    views_sampling,
)

urlpatterns: list[URLPattern] = [
    *views_campaign.urlpatterns,
    *views_plan.urlpatterns,
    *views_sampling.urlpatterns,
    *views_lab.urlpatterns,
    *views_coverage.urlpatterns,
    *views_labs.urlpatterns,
]
