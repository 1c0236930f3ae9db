"""Screening API: sampling (being built in this session)."""

from ninja import Router

router = Router()
