"""Command-centre API under /api/v1/command/: one router per part, each handler thin."""

from ninja import Router

from fangkong.command import api_dashboard, api_reports, api_tasks

router = Router(tags=["command"])
for part in (api_dashboard, api_tasks, api_reports):
    router.add_router("", part.router)
