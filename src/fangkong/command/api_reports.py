"""Command-centre API, reports part."""

from ninja import Router

router = Router()
