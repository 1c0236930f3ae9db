"""The 12345 hotline (接诉即办): tickets from phone, web, residents' pages and health-code
appeals, routed to the responsible street from the registry, with a deadline per category from
the policy in force, escalation on breach, answer templates of the rules of the day, callback
and satisfaction, and per-street response, resolution and satisfaction rates."""
