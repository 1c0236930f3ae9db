"""Hotline API, tickets part."""

from ninja import Router

router = Router()
