"""Early-warning jobs: the daily anomaly scan (huey periodic tasks)."""
