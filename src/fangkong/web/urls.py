"""Routes of the web pages. Every view is wrapped by ``web.access.needs`` (except login and
logout), so each page names the one right it requires."""

from __future__ import annotations

from django.urls import URLPattern, path

from fangkong.core import views as core_views
from fangkong.registry import views as registry_views
from fangkong.web import views as web_views

urlpatterns: list[URLPattern] = [
    path("login/", web_views.login_page, name="login"),
    path("logout/", web_views.logout_page, name="logout"),
    path("", registry_views.home, name="home"),
    path("units/<int:unit_id>/", registry_views.unit_page, name="unit"),
    path("units/<int:unit_id>/children.geojson", registry_views.unit_children_geojson,
         name="unit_geojson"),
    path("grids/<int:unit_id>/buildings", registry_views.grid_buildings, name="grid_buildings"),
    path("buildings/<int:building_id>/", registry_views.building_page, name="building"),
    path("households/<int:household_id>/", registry_views.household_page, name="household"),
    path("persons/", registry_views.persons, name="persons"),
    path("persons/<int:person_id>/", registry_views.person_page, name="person"),
    path("persons/<int:person_id>/reveal", registry_views.person_reveal, name="person_reveal"),
    path("persons/<int:person_id>/correct", registry_views.person_correct,
         name="person_correct"),
    path("venues/", registry_views.venues, name="venues"),
    path("registry/export", registry_views.export_page, name="registry_export"),
    path("registry/import", registry_views.import_page, name="registry_import"),
    path("audit/", core_views.audit_page, name="audit"),
    path("approvals/", core_views.approvals_page, name="approvals"),
    path("approvals/<int:approval_id>/decide", core_views.approval_decide,
         name="approval_decide"),
]
