"""The hotline's jobs (huey discovers ``tasks`` modules)."""

from fangkong.hotline import jobs_followup

__all__ = ["jobs_followup"]
