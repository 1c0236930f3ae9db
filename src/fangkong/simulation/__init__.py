"""Strategy simulator: a branching process after Hellewell et al. 2020 and an agent model on the
synthetic city, scenarios compared over many seeded runs."""
