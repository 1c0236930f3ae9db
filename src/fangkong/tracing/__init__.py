"""Case investigation and contact tracing: cases, trajectories, contacts, risk points, chains."""
