"""Security headers on pages, API answers and the login page; personal data is not cached;
a view's own caching is kept."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, HttpResponseBase
from django.test import Client

from fangkong.core.headers import SecurityHeadersMiddleware
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _assert_secure(response: HttpResponseBase, *, no_store: bool = True) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "http" not in csp
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    if no_store:  # not a static file (WhiteNoise answers before the frame middleware)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "no-store" in response.headers["Cache-Control"]


def test_login_page_api_and_pages_carry_the_headers() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _assert_secure(client.get("/login/"))
    _assert_secure(client.get("/api/v1/registry/units"))
    make_user("officer", unit=None, roles=["city_admin"])
    assert client.login(username="officer", password=PASSWORD)
    page = client.get("/")
    assert page.status_code == 200
    _assert_secure(page)
    _assert_secure(client.get("/api/v1/registry/units"))


def test_static_files_keep_their_own_caching() -> None:
    response = Client().get("/static/fangkong/fangkong.css")
    assert response.status_code == 200
    _assert_secure(response, no_store=False)
    assert "no-store" not in response.headers["Cache-Control"]


def test_a_view_s_own_headers_win(settings: object) -> None:
    def view(request: object) -> HttpResponse:
        response = HttpResponse("x")
        response.headers["Cache-Control"] = "max-age=60"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(None)  # type: ignore[arg-type]
    assert response.headers["Cache-Control"] == "max-age=60"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
