"""Early-warning API, arrivals part."""

from ninja import Router

router = Router()
