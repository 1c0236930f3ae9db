"""Cold-chain traceability jobs (huey discovers ``tasks`` modules)."""
