"""Early-warning API, sentinel part."""

from ninja import Router

router = Router()
