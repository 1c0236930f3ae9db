"""Early-warning API under /api/v1/warning/: one router per part, each handler thin."""

from ninja import Router

from fangkong.warning import api_anomaly, api_arrivals, api_followups, api_selfreport, api_sentinel

router = Router(tags=["warning"])
for part in (api_sentinel, api_followups, api_anomaly, api_arrivals, api_selfreport):
    router.add_router("", part.router)
