"""Command-centre API, tasks part."""

from ninja import Router

router = Router()
