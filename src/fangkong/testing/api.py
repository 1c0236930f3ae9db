"""Screening API under /api/v1/screening/: one router per part, each handler thin."""

from ninja import Router

from fangkong.testing import (
    api_campaign,
    api_coverage,
    api_lab,
    api_labs,
    api_plan,
    api_sampling,
)

router = Router(tags=["screening"])
for part in (api_campaign, api_plan, api_sampling, api_lab, api_coverage, api_labs):
    router.add_router("", part.router)
