"""Jobs of the command centre: reports (huey periodic tasks; command/tasks.py imports them so
huey finds them)."""
