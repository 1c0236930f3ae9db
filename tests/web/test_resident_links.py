"""The resident's code page leads to the self-report and the hotline pages of the same signed
link, and both open for that resident with no login."""

from __future__ import annotations

import re

from django.test import Client

from fangkong.healthcode import resident
from fangkong.healthcode.keys import ensure_active_key
from tests.factories import City


def test_the_code_page_links_to_self_report_and_hotline(city: City) -> None:
    ensure_active_key()
    link = resident.resident_link(city.districts[0].persons[0])
    page = Client().get(link + "?lang=en").content.decode()
    for anchor in ("link-self-report", "link-hotline"):
        href = re.search(rf'href="([^"]+)" id="{anchor}"', page)
        assert href is not None, anchor
        target = href.group(1).replace("&amp;", "&")
        assert target.startswith(link)
        assert Client().get(target).status_code == 200
