"""Quarantine API under /api/v1/quarantine/: one router per part, each handler thin."""

from ninja import Router

from fangkong.quarantine import api_capacity, api_facility, api_orders

router = Router(tags=["quarantine"])
for part in (api_facility, api_orders, api_capacity):
    router.add_router("", part.router)
