"""Cold-chain traceability API under /api/v1/coldchain/, handlers thin."""

from ninja import Router

router = Router(tags=["coldchain"])
