"""Screenshots of a running demo for the README: ``uv run python scripts/screenshots.py``
while ``./scripts/demo`` serves on :8000. Logs in as ``admin`` with the password the demo saved
in ``$FANGKONG_DATA_DIR/demo-logins.json`` and writes docs/img/{map,persons}.png."""

from __future__ import annotations

import json
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BASE = os.environ.get("FANGKONG_URL", "http://127.0.0.1:8000")
DATA = Path(os.environ.get("FANGKONG_DATA_DIR", ROOT / "var"))


def main() -> None:
    password = json.loads((DATA / "demo-logins.json").read_text())["admin"]
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1280, "height": 760}, locale="zh-CN")
        page.goto(f"{BASE}/login/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", password)
        page.press("input[name=password]", "Enter")
        page.wait_for_selector(".leaflet-overlay-pane path")
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "map.png"))
        page.goto(f"{BASE}/persons/?q=王")
        page.screenshot(path=str(out / "persons.png"))
        browser.close()


if __name__ == "__main__":
    main()
