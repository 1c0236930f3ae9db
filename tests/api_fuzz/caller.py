"""Send a schemathesis case through Django's test client and hand back schemathesis' answer.

schemathesis' own WSGI transport runs the request through Django's handler, whose
``request_finished`` signal closes the database connection; under the test's transaction that
loses the world. Django's test client keeps the connection and carries the session cookie, so
the case is encoded by ``requests`` (exactly the bytes schemathesis would send) and replayed
through the client.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from django.http import HttpResponse
from django.test import Client
from schemathesis import Case, Response

BASE = "http://testserver"


def prepared(case: Case) -> requests.PreparedRequest:
    """The request as schemathesis' ``requests`` transport would put it on the wire."""
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url=BASE)
    for transport_only in ("timeout", "allow_redirects", "verify", "cookies"):
        kwargs.pop(transport_only, None)  # the client's own session cookie is the caller
    return requests.Request(**kwargs).prepare()


def send(client: Client, case: Case) -> Response:
    """Replay the prepared request through ``client``; the answer as schemathesis reads it."""
    request = prepared(case)
    path = request.path_url
    body = request.body if request.body is not None else b""
    if isinstance(body, str):
        body = body.encode()
    content_type = str(request.headers.get("Content-Type", "application/octet-stream"))
    headers = {k: str(v) for k, v in request.headers.items()
               if k.lower() not in {"content-type", "content-length", "cookie"}}
    started = time.perf_counter()
    answer: HttpResponse = client.generic(  # type: ignore[assignment]
        request.method or "GET", path, data=body, content_type=content_type, headers=headers)
    elapsed = time.perf_counter() - started
    streamed = getattr(answer, "streaming", False)
    content = b"".join(answer) if streamed else answer.content  # type: ignore[arg-type]
    return Response(status_code=answer.status_code, content=content,
                    headers={k.lower(): [v] for k, v in answer.headers.items()},
                    request=request, elapsed=elapsed, verify=True)
