"""Routes of the tracing pages that live with their part (the older ones are listed in
``web/urls.py``)."""

from __future__ import annotations

from django.urls import URLPattern

from fangkong.tracing import views_contact_reports

urlpatterns: list[URLPattern] = [*views_contact_reports.urlpatterns]
