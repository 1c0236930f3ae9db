"""Supplies and prices API under /api/v1/supplies/, handlers thin."""

from ninja import Router

router = Router(tags=["supplies"])
