"""Command-centre API, dashboard part."""

from ninja import Router

router = Router()
