"""Screening API: coverage (being built in this session)."""

from ninja import Router

router = Router()
