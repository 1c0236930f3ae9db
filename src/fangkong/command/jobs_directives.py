"""Jobs of the command centre: directives (huey periodic tasks; command/tasks.py imports them so
huey finds them)."""
