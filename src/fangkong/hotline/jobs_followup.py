"""Jobs of the hotline: escalation of overdue tickets and callbacks due (huey periodic tasks;
hotline/tasks.py imports them so huey finds them)."""
