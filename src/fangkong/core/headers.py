"""Security headers on every answer: a Content-Security-Policy, a Permissions-Policy, and
``Cache-Control: no-store`` where the view set no caching of its own.

Django's SecurityMiddleware already sends nosniff, Referrer-Policy, Cross-Origin-Opener-Policy
and HSTS (settings.py). The policy allows only this server's own assets (ECharts, HTMX and
Leaflet are served by the app itself, no CDN). Scripts and styles keep ``'unsafe-inline'``:
about a dozen templates carry inline ``<script>`` blocks that interpolate template values, and
inline ``onchange``/``onclick`` handlers, so neither hashes nor a nonce fit without editing
those templates; everything else (other origins, plugins, ``<base>``, framing, form targets)
is shut. ``FANGKONG_CSP`` replaces the policy whole.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

DEFAULT_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# No page asks for a device (codes are scanned by the phone's own camera app or typed).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Adds the headers unless the view set them itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = settings.CONTENT_SECURITY_POLICY or DEFAULT_CSP

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            # Pages and answers name people; neither the browser nor a proxy keeps them.
            patch_cache_control(response, no_store=True, private=True)
        return response
