"""Jobs of the command centre: figures (huey periodic tasks; command/tasks.py imports them so
huey finds them)."""
