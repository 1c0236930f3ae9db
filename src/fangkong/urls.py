"""Top-level routes: the JSON API under /api/v1/, the web pages, and the admin."""

from django.contrib import admin
from django.urls import include, path

from fangkong.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fangkong.web.urls")),
]
