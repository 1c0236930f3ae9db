"""Settings of the test suite: jobs run inline and data lives in a temporary folder.

pytest-django imports settings before any conftest runs, so the environment is set here."""

import os
import secrets
import tempfile

os.environ.setdefault("FANGKONG_JOBS_IMMEDIATE", "1")
os.environ.setdefault("FANGKONG_DATA_DIR", tempfile.mkdtemp(prefix="fangkong-test-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# One random key for the run, inherited by the commands tests start (no key is in the code).
os.environ.setdefault("FANGKONG_SECRET_KEY", secrets.token_urlsafe(48))

from fangkong.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405  (WhiteNoise warns when it is missing)
