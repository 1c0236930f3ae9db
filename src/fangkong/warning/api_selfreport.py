"""Early-warning API, selfreport part."""

from ninja import Router

router = Router()
