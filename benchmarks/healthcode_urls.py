"""The project's URLs plus two bare baselines served by the same process and framework:
``/bench/ninja/constant`` (a django-ninja operation, no auth) and ``/bench/django/constant``
(a plain Django view), each answering a constant JSON body as long as a resident's
``code.json`` (``FANGKONG_BENCH_BODY_BYTES``), so the difference is the project's work."""

from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI

from fangkong.urls import urlpatterns as project_urls

SIZE = int(os.environ.get("FANGKONG_BENCH_BODY_BYTES", "1500"))
FILLER = "x" * max(0, SIZE - len('{"filler": ""}'))
BODY = f'{{"filler": "{FILLER}"}}'.encode()

bare = NinjaAPI(urls_namespace="bench", docs_url=None, openapi_url=None)


@bare.get("/constant")
def constant(request: HttpRequest) -> dict[str, Any]:
    return {"filler": FILLER}


def constant_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [
    path("bench/ninja/", bare.urls),
    path("bench/django/constant", constant_view),
    *project_urls,
]
