"""Cold-chain traceability API under /api/v1/coldchain/: one router per part, handlers thin."""

from ninja import Router

from fangkong.coldchain import api_intake, api_trace

router = Router(tags=["coldchain"])
for part in (api_intake, api_trace):
    router.add_router("", part.router)
