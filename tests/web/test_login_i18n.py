"""Login with throttling, logout, and the language switch."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.factories import PASSWORD, City, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(city: City):  # type: ignore[no-untyped-def]
    return make_user("lin", unit=city.districts[0].unit, roles=["district_officer"])


def test_login_page_renders(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_login_and_redirect_to_next(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login/", {"username": "lin", "password": PASSWORD,
                                       "next": "/persons/"})
    assert response.status_code == 302 and response["Location"] == "/persons/"
    assert client.get("/persons/").status_code == 200


def test_login_refuses_foreign_next(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login/", {"username": "lin", "password": PASSWORD,
                                       "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_password(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login/", {"username": "lin", "password": "nope"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert "Wrong user name or password" in response.content.decode()


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_after_five_failures(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.post("/login/", {"username": "lin", "password": "nope"})
    response = client.post("/login/", {"username": "lin", "password": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many failed attempts; try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_message_in_chinese(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.post("/login/", {"username": "lin", "password": "nope"})
    page = client.post("/login/", {"username": "lin", "password": PASSWORD}).content.decode()
    assert "尝试次数过多" in page


def test_success_clears_failures(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    from fangkong.core.models import LoginFailure

    client.post("/login/", {"username": "lin", "password": "nope"})
    client.post("/login/", {"username": "lin", "password": PASSWORD})
    assert not LoginFailure.objects.filter(username="lin").exists()


def test_logout_needs_post(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_default_language_is_chinese(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "地图" in page and "退出" in page


def test_language_switch_changes_text(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/persons/"})
    assert response.status_code == 302 and response["Location"] == "/persons/"
    page = client.get("/persons/").content.decode()
    assert '<html lang="en">' in page and "Residents" in page and "Log out" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/persons/").content.decode()
    assert "居民" in page and "Log out" not in page


def test_unit_names_follow_language(client: Client, user, city: City) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "District 1" in client.get("/").content.decode()
