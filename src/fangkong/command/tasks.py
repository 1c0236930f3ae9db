"""The command centre's jobs, one module per part (huey discovers ``tasks`` modules)."""

from fangkong.command import jobs_directives, jobs_figures, jobs_reports

__all__ = ["jobs_directives", "jobs_figures", "jobs_reports"]
