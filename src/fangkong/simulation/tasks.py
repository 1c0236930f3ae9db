"""Strategy simulation jobs (huey discovers ``tasks`` modules)."""

from fangkong.simulation import jobs_scenarios

__all__ = ["jobs_scenarios"]
