"""The world a screening morning's load test needs, built inside a configured Django process
whose database holds a city, and written as JSON for the locust process (which imports no
Django): sessions of real users with their roles, the round's sampling batches, tubes the
labs have received, residents' links, venue tokens, gate pseudonyms and issued codes.

Reuses the benchmarks' own builders: ``screening_round`` (campaign, planned sites, tubes and
the batches the tables would upload) and ``healthcode_http.Fixture`` (residents' links,
venue tokens, green pseudonyms and a door device's session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from benchmarks.screening_round import bench_actor, build_round
from fangkong.core.jurisdiction import Actor, actor_for
from fangkong.core.models import AdminUnit, Level, Profile
from fangkong.testing.actions_lab import do_receive_tube
from fangkong.testing.actions_sampling import Batch
from fangkong.testing.ingest import store_batch
from fangkong.testing.labs import do_register_lab
from fangkong.testing.models import Tube

RESULT_ROWS = 90  # a 96-well plate less its controls: one results file


def session_headers(*, username: str, unit: AdminUnit, roles: list[str]) -> dict[str, str]:
    """A logged-in user's cookie and CSRF header, as a browser or device would send them."""
    user = User.objects.create_user(username)
    Profile.objects.create(user=user, unit=unit, roles=roles)
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    return {"Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
            "X-CSRFToken": csrf, "Content-Type": "application/json"}


def _tube_batches(batch: Batch) -> list[dict[str, Any]]:
    """One upload per sealed tube (a table uploads every few minutes, after each tube)."""
    out: list[dict[str, Any]] = []
    for event in batch.events:
        if event.type == "open":
            out.append({"client_key": f"load-{event.tube}",
                        "campaign": batch.campaign_id, "site": batch.site_id,
                        "device": batch.device, "events": []})
        out[-1]["events"].append({"type": event.type, "tube": event.tube,
                                  "at": event.at.isoformat(), "id_number": event.id_number})
    return out


def _received_tubes(*, sampler: Actor, lab_actor: Actor, lab_ids: dict[int, int],
                    batches: list[Batch]) -> dict[int, list[str]]:
    """Store ``batches`` as the tables would and receive their tubes at each district's lab:
    the tubes the labs report on during the test, per lab."""
    by_lab: dict[int, list[str]] = {}
    for batch in batches:
        store_batch(actor=sampler, batch=batch)
    codes = {e.tube for b in batches for e in b.events}
    for code, district in Tube.objects.filter(code__in=codes).values_list("code", "district_id"):
        lab = lab_ids[district]
        do_receive_tube(actor=lab_actor, lab_id=lab, code=code)
        by_lab.setdefault(lab, []).append(code)
    return by_lab


def build(*, lab_batches: int = 200, gate_tokens: int = 200) -> dict[str, Any]:
    """Everything the locustfile reads; ``lab_batches`` of the round's batches (10 tubes
    each) are stored and received before the test so the labs have tubes to report."""
    from benchmarks.healthcode_http import Fixture
    from fangkong.healthcode import resident
    from fangkong.registry.models import Person

    actor = bench_actor()
    city = AdminUnit.objects.get(level=Level.CITY)
    districts = list(AdminUnit.objects.filter(level=Level.DISTRICT).order_by("pk"))
    lab_ids = {d.pk: do_register_lab(actor=actor, code=f"LOAD{d.pk}", name=f"load lab {d.pk}",
                                     tubes_per_hour=2000, unit_id=d.pk).pk for d in districts}
    rnd = build_round(actor=actor, code="LOAD", district_ids=list(lab_ids), skip_every=0)
    sampler_headers = session_headers(username="load-sampler", unit=city, roles=["sampler"])
    lab_headers = session_headers(username="load-lab", unit=city, roles=["lab_staff"])
    sampler = actor_for(User.objects.get(username="load-sampler"))
    lab_actor = actor_for(User.objects.get(username="load-lab"))
    received = _received_tubes(sampler=sampler, lab_actor=lab_actor, lab_ids=lab_ids,
                               batches=rnd.batches[:lab_batches])
    uploads = [b for batch in rnd.batches[lab_batches:] for b in _tube_batches(batch)]
    hc = Fixture()
    people = Person.objects.filter(inactive_since__isnull=True).order_by("pk")[:gate_tokens]
    return {
        "campaign": rnd.campaign.pk,
        "sampler_headers": sampler_headers, "uploads": uploads,
        "lookups": [{"site": b["site"], "id_number": e["id_number"]}
                    for b in uploads[:2000] for e in b["events"] if e["id_number"]],
        "lab_headers": lab_headers,
        "lab_files": [{"lab_id": lab, "codes": codes[i:i + RESULT_ROWS]}
                      for lab, codes in received.items()
                      for i in range(0, len(codes), RESULT_ROWS)],
        "gate_headers": hc.gate_headers, "pseudonyms": hc.pseudonyms,
        "venue_ids": hc.venue_ids, "venue_tokens": hc.venue_tokens, "links": hc.links,
        "tokens": [resident.code_payload(resident.current_code(p))["token"] for p in people],
        "commander_headers": session_headers(username="load-commander", unit=city,
                                             roles=["commander"]),
        "city_unit": city.pk,
    }


def write(path: Path, **kwargs: Any) -> dict[str, int]:
    """Build and write the fixture; the sizes of its lists (for the report)."""
    data = build(**kwargs)
    path.write_text(json.dumps(data))
    return {k: len(v) for k, v in data.items() if isinstance(v, list)}
