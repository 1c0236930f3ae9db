"""Population registry: buildings, households, persons (with special groups) and venues, each
placed in a grid of the admin tree (``core.AdminUnit``). Every read is scoped by jurisdiction;
ID-card and phone numbers are stored once and shown masked unless the viewer holds PII_VIEW."""
