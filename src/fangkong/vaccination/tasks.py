"""Vaccination jobs (huey discovers ``tasks`` modules)."""
