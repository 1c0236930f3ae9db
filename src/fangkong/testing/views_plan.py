"""Screening pages: plan (being built in this session)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
