"""Supplies and prices jobs (huey discovers ``tasks`` modules)."""
