"""Vaccination API under /api/v1/vaccination/: one router per part, each handler thin."""

from ninja import Router

from fangkong.vaccination import api_coverage, api_doses

router = Router(tags=["vaccination"])
for part in (api_doses, api_coverage):
    router.add_router("", part.router)
