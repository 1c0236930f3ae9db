"""Early-warning jobs: arrival tests done or missed (huey periodic tasks)."""
