"""The command centre: a dashboard read from figures kept current by the modules' events,
directives to working groups and units with tasks that escalate when overdue, a supervision
ranking, and the daily situation report (PDF and Excel, kept as a history)."""
