"""The dashboard through the real server for bench_command.py: ``fangkong serve`` (waitress,
8 threads) in its own process (``command_serve``), asked over loopback as a logged-in
commander; then the full render in headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.command_measure import summary

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
TILE = re.compile(r'id="tile-cases_in_community"[^>]*data-value="(\d+)"')
# Drawn: the trends' canvases, and the map (a street has none: its figures are the finest).
READY = ("() => { const t = document.querySelector('#dash-trends[data-ready=\"1\"] canvas');"
         " const m = document.getElementById('dash-map');"
         " return t && (!m || m.dataset.ready === '1') ? performance.now() : false; }")


def commander_cookie() -> str:
    """A session of a city commander, made in the benchmark's database."""
    from django.contrib.auth.models import User
    from django.test import Client

    from fangkong.core.models import AdminUnit, Level, Profile

    user = User.objects.create_user("bench-commander", password="bench-only")
    Profile.objects.create(user=user, unit=AdminUnit.objects.get(level=Level.CITY),
                           roles=["commander"])
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        server = subprocess.Popen([sys.executable, "-m", "benchmarks.command_serve", str(port)],
                                  cwd=ROOT, env=dict(os.environ), stdout=err, stderr=err)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if get(port, "/login/", "")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"the server did not answer in 90 s (see {log})")


def stop_server(server: subprocess.Popen[bytes]) -> bool:
    alive = server.poll() is None
    server.terminate()
    server.wait(timeout=30)
    return alive


def get(port: int, path: str, cookie: str) -> tuple[int, float, float, bytes]:
    """Status, seconds to the first byte (status line and headers in), seconds in all."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    began = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
    response = conn.getresponse()
    first = time.perf_counter() - began
    body = response.read()
    total = time.perf_counter() - began
    conn.close()
    return response.status, first, total, body


def page_case(port: int, path: str, cookie: str, repeat: int) -> dict[str, Any]:
    """The first request (the server's first look: it sweeps and refreshes its scope), then
    ``repeat`` timed ones."""
    status, _first_ttfb, first_total, body = get(port, path, cookie)
    assert status == 200, (path, status, body[:300])
    ttfb, total = [], []
    for _ in range(repeat):
        status, a, b, body = get(port, path, cookie)
        assert status == 200, (path, status)
        ttfb.append(a)
        total.append(b)
    return {"path": path, "first_ms": first_total * 1000, "ttfb": summary(ttfb),
            "total": summary(total), "bytes": len(body)}


def tile_value(port: int, path: str, cookie: str) -> tuple[float, int]:
    """One request's total seconds and the community-cases tile it shows."""
    status, _first, total, body = get(port, path, cookie)
    found = TILE.search(body.decode())
    assert status == 200 and found, (status, body[:300])
    return total, int(found.group(1))


def browser_cases(port: int, cookie: str, paths: dict[str, str], repeat: int
                  ) -> dict[str, Any]:
    """Each page opened ``repeat`` times in one context (assets cached after the first),
    timed from ``goto`` to the charts and map drawn (``READY``); the browser's own timing of
    the response's first byte and of the drawn flag (both from the navigation's start)."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {"waited_for": "#dash-trends[data-ready=1] canvas and "
                                          "#dash-map[data-ready=1] (street: no map)"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="zh-CN")
        name, value = cookie.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": f"http://127.0.0.1:{port}"}])
        for unit, path in paths.items():
            out[unit] = _browse(context, f"http://127.0.0.1:{port}{path}", repeat)
        browser.close()
    return out


def _browse(context: Any, url: str, repeat: int) -> dict[str, Any]:
    walls, firsts, ends, drawn = [], [], [], []
    cold = 0.0
    for n in range(repeat + 1):
        page = context.new_page()
        began = time.perf_counter()
        page.goto(url, wait_until="commit")
        at = page.wait_for_function(READY, timeout=120_000, polling=10).json_value()
        wall = time.perf_counter() - began
        nav = page.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
        page.close()
        if n == 0:
            cold = wall
            continue
        walls.append(wall)
        firsts.append(nav["responseStart"] / 1000)
        ends.append(nav["responseEnd"] / 1000)
        drawn.append(float(at) / 1000)
    return {"cold_ms": cold * 1000, "wall": summary(walls), "first_byte": summary(firsts),
            "last_byte": summary(ends), "drawn": summary(drawn)}
