"""Suite-wide settings: jobs run inline, and the data dir is a temporary folder."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("FANGKONG_JOBS_IMMEDIATE", "1")
os.environ.setdefault("FANGKONG_DATA_DIR", tempfile.mkdtemp(prefix="fangkong-test-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
