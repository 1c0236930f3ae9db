"""System checks of the deployment (``fangkong manage check --deploy``) that Django's own
checklist does not know: secrets must come from the environment."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_from_env(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Without FANGKONG_SECRET_KEY each process makes up its own key: sessions and signed
    links break across processes and restarts, and the health-code signing keys (encrypted
    under it) cannot be unlocked after a restart."""
    if getattr(settings, "SECRET_KEY_FROM_ENV", True):
        return []
    return [Error(
        "FANGKONG_SECRET_KEY is not set; this process uses a random key of its own.",
        hint="Set FANGKONG_SECRET_KEY (50+ random characters), the same for every process "
             "(web, worker, commands); `fangkong` commands keep one in $FANGKONG_DATA_DIR/"
             "secret.key when it is unset.",
        id="fangkong.E001",
    )]
