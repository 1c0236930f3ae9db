"""Routes of the web pages. Every view is wrapped by ``web.access.needs`` (except login and
logout, and the public risk-point notice), so each page names the one right it requires."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from fangkong.core import views as core_views
from fangkong.registry import views as registry_views
from fangkong.tracing import views as tracing_views
from fangkong.tracing import views_case, views_charts, views_contacts, views_risk
from fangkong.web import views as web_views

urlpatterns: list[URLPattern | URLResolver] = [
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
    path("tracing/cases/", tracing_views.cases_page, name="tracing_cases"),
    path("tracing/cases/register", tracing_views.case_register, name="tracing_case_register"),
    path("tracing/pick/persons", tracing_views.pick_person, name="tracing_pick_person"),
    path("tracing/pick/venues", tracing_views.pick_venue, name="tracing_pick_venue"),
    path("tracing/cases/<int:case_id>/", tracing_views.case_page, name="tracing_case"),
    path("tracing/cases/<int:case_id>/reclassify", views_case.case_reclassify,
         name="tracing_case_reclassify"),
    path("tracing/cases/<int:case_id>/update", views_case.case_update,
         name="tracing_case_update"),
    path("tracing/cases/<int:case_id>/source", views_case.case_source,
         name="tracing_case_source"),
    path("tracing/cases/<int:case_id>/entries", views_case.case_entry, name="tracing_case_entry"),
    path("tracing/cases/<int:case_id>/entries/<int:entry_id>/delete", views_case.entry_delete,
         name="tracing_entry_delete"),
    path("tracing/cases/<int:case_id>/detect", views_case.case_detect,
         name="tracing_case_detect"),
    path("tracing/cases/<int:case_id>/risk-points", views_case.case_draft_risk,
         name="tracing_case_draft_risk"),
    path("tracing/contacts/", views_contacts.contacts_page, name="tracing_contacts"),
    path("tracing/contacts/<int:contact_id>/assign", views_contacts.contact_assign,
         name="tracing_contact_assign"),
    path("tracing/contacts/<int:contact_id>/advance", views_contacts.contact_advance,
         name="tracing_contact_advance"),
    path("tracing/risk-points/", views_risk.risk_points_page, name="tracing_risk_points"),
    path("tracing/risk-points/<int:point_id>/<slug:act>", views_risk.risk_point_act,
         name="tracing_risk_point_act"),
    path("tracing/funnel/", views_charts.funnel_page, name="tracing_funnel"),
    path("tracing/chains/", views_charts.chains_page, name="tracing_chains"),
    path("public/risk-points/", views_risk.public_risk_points, name="public_risk_points"),
    path("public/risk-points.json", views_risk.public_risk_points_json,
         name="public_risk_points_json"),
    path("", include("fangkong.tracing.urls")),
    path("", include("fangkong.testing.urls")),
    path("", include("fangkong.risk.urls")),
    path("", include("fangkong.quarantine.urls")),
    path("", include("fangkong.healthcode.urls")),
    path("", include("fangkong.hotline.urls")),
    path("", include("fangkong.warning.urls")),
    path("", include("fangkong.supplies.urls")),
    path("", include("fangkong.coldchain.urls")),
    path("", include("fangkong.vaccination.urls")),
    path("", include("fangkong.simulation.urls")),
    path("", include("fangkong.command.urls")),
]
