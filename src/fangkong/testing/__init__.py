"""Mass screening: campaigns, sites and slots, sampling at the table, transport and labs,
positive-pool holds and retests, coverage and progress (docs/screening.md)."""
