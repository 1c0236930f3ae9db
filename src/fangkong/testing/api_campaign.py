"""Screening API: campaign (being built in this session)."""

from ninja import Router

router = Router()
