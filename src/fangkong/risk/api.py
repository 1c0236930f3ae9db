"""Risk-area API under /api/v1/risk/: one router per part, each handler thin."""

from ninja import Router

from fangkong.risk import api_area, api_life

router = Router(tags=["risk"])
for part in (api_area, api_life):
    router.add_router("", part.router)
