"""Supplies and prices jobs, one module per part (huey discovers ``tasks`` modules)."""

from fangkong.supplies import jobs_alerts

__all__ = ["jobs_alerts"]
