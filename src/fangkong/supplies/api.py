"""Supplies and prices API under /api/v1/supplies/: one router per part, handlers thin."""

from ninja import Router

from fangkong.supplies import api_alerts, api_reports

router = Router(tags=["supplies"])
for part in (api_reports, api_alerts):
    router.add_router("", part.router)
