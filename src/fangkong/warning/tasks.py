"""Early-warning jobs, one module per part (huey discovers ``tasks`` modules)."""

from fangkong.warning import jobs_anomaly, jobs_arrivals, jobs_sentinel

__all__ = ["jobs_anomaly", "jobs_arrivals", "jobs_sentinel"]
