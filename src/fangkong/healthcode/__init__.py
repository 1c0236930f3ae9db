"""Health codes and venue check-ins: an explainable status (green / yellow / red plus pop-up
flags, each with its reason and what clears it) computed from the facts the platform holds,
compact Ed25519-signed codes that a gate verifies with no network, venue check-ins feeding the
contact engine, and manual changes only with a reason and a second person's approval."""
