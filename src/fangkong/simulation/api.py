"""Strategy simulation API under /api/v1/simulation/: one router per part, handlers thin."""

from ninja import Router

from fangkong.simulation import api_scenarios

router = Router(tags=["simulation"])
for part in (api_scenarios,):
    router.add_router("", part.router)
