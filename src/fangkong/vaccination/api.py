"""Vaccination API under /api/v1/vaccination/, handlers thin."""

from ninja import Router

router = Router(tags=["vaccination"])
