"""Early warning (早发现): pharmacy and fever-clinic sentinels with an anomaly signal per street,
arrivals from stations, airports and road checkpoints matched to the registry with the tests
their origin calls for, and residents' own reports of travel, symptoms or contact, all feeding
the grid's follow-up list."""
