"""Strategy simulation API under /api/v1/simulation/, handlers thin."""

from ninja import Router

router = Router(tags=["simulation"])
