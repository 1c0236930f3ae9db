"""Vaccination: doses per person, coverage by age band and grid, the unvaccinated elderly
per grid for door-to-door work, imports from a vaccination system."""
