"""The login throttle on every login path: the web form and the admin's form lock out after
the same number of failures, count each failure once, and answer a locked-out or unknown
name exactly as a wrong password."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from fangkong.core.models import LoginFailure
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff")]
ADMIN = "/django-admin/login/"
CSRF = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture
def staff() -> None:
    user = make_user("chief", unit=None, roles=[])
    user.is_staff = True
    user.save()


def _admin_login(client: Client, *, username: str, password: str) -> bool:
    client.post(ADMIN, {"username": username, "password": password, "next": "/django-admin/"})
    return SESSION_KEY in client.session


def _web_login(client: Client, *, username: str, password: str) -> str:
    response = client.post("/login/", {"username": username, "password": password})
    return _same(response.content.decode(), username)


def _same(page: str, username: str) -> str:
    """The page with the name typed and the (per-answer masked) CSRF token blanked."""
    return CSRF.sub("TOKEN", page.replace(username, "NAME"))


@override_settings(LOGIN_MAX_FAILURES=3)
def test_the_admin_login_locks_out_after_the_same_failures() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _admin_login(client, username="chief", password=PASSWORD)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(3):
        assert not _admin_login(client, username="chief", password="wrong")
    assert LoginFailure.objects.filter(username="chief").count() == 3
    assert not _admin_login(client, username="chief", password=PASSWORD)
    assert LoginFailure.objects.filter(username="chief").count() == 3


@override_settings(LOGIN_MAX_FAILURES=3)
def test_the_admin_login_locks_out_an_address_trying_many_names() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.9.9")
    for i in range(12):
        _admin_login(client, username=f"guess{i}", password="wrong")
    assert not _admin_login(client, username="chief", password=PASSWORD)
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.9.10")
    assert _admin_login(other, username="chief", password=PASSWORD)


@override_settings(LOGIN_MAX_FAILURES=3)
def test_the_web_form_counts_each_failure_once() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _web_login(client, username="chief", password="wrong")
    _web_login(client, username="chief", password="wrong")
    assert LoginFailure.objects.filter(username="chief").count() == 2
    assert "Too many failed attempts" in _web_login(client, username="chief", password="x")
    assert LoginFailure.objects.filter(username="chief").count() == 3
    assert "Too many failed attempts" in _web_login(client, username="chief", password=PASSWORD)
    assert SESSION_KEY not in client.session


@override_settings(LOGIN_MAX_FAILURES=3)
def test_answers_do_not_tell_whether_the_user_exists() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong = [_web_login(client, username=name, password="wrong") for name in ("chief", "nobody")]
    assert wrong[0] == wrong[1]
    for name in ("chief", "nobody"):
        _web_login(client, username=name, password="wrong")
        _web_login(client, username=name, password="wrong")
    locked = [_web_login(client, username=name, password="wrong") for name in ("chief", "nobody")]
    assert locked[0] == locked[1] and "Too many failed attempts" in locked[0]
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    pages = [_same(admin.post(ADMIN, {"username": name, "password": "wrong"}).content.decode(),
                   name) for name in ("chief", "nobody")]
    assert pages[0] == pages[1]
