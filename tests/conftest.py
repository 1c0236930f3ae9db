"""Suite-wide fixtures. The environment (temporary data dir, inline jobs) is in settings.py."""
