"""Routes of the strategy simulation pages, one list per part (each views module owns its own)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.simulation import views_scenarios

urlpatterns: list[URLPattern] = [*views_scenarios.urlpatterns]
