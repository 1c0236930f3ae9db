"""Health-code API under /api/v1/healthcode/: one router per part, each handler thin."""

from ninja import Router

from fangkong.healthcode import api_changes, api_gate, api_resident, api_status, api_tokens

router = Router(tags=["healthcode"])
for part in (api_status, api_tokens, api_resident, api_gate, api_changes):
    router.add_router("", part.router)
