"""The load's plan, without locust (importing locust monkey-patches the process with gevent,
which the runner must not be): the district's mix at 1x and the steps of a run."""

from __future__ import annotations

import os

# Paced users (one request a second each) per role at 1x; see locustfile.py for the mix.
BASE = {"ResidentCode": 40, "VenueCheckin": 20, "Gate": 10, "Sampler": 15}
# Labs and dashboard viewers do not grow with the ramp (fewer in the locustfile's own test).
LAB_USERS = int(os.environ.get("FANGKONG_LOAD_LABS", "2"))
VIEWERS = int(os.environ.get("FANGKONG_LOAD_VIEWERS", "30"))


def parse_plan(text: str) -> list[tuple[float, float]]:
    """``"0.5:60,1:60"`` → [(0.5, 60.0), (1.0, 60.0)]: steps of ``multiple:seconds``."""
    steps = [tuple(float(x) for x in part.split(":")) for part in text.split(",") if part]
    return [(m, s) for m, s in steps]


def users_at(multiple: float) -> int:
    """Users locust holds at ``multiple`` x the district's morning."""
    return LAB_USERS + VIEWERS + max(len(BASE), round(multiple * sum(BASE.values())))
