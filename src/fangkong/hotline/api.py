"""Hotline API under /api/v1/hotline/: one router per part, each handler thin."""

from ninja import Router

from fangkong.hotline import api_followup, api_tickets

router = Router(tags=["hotline"])
for part in (api_tickets, api_followup):
    router.add_router("", part.router)
