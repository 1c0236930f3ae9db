"""Hotline API, followup part."""

from ninja import Router

router = Router()
