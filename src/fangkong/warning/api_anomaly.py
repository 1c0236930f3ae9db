"""Early-warning API, anomaly part."""

from ninja import Router

router = Router()
