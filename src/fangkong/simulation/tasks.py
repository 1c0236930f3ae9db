"""Strategy simulation jobs (huey discovers ``tasks`` modules)."""
