"""Imported frozen goods: batches with their certificates, movements between stores, handlers
and their tests, and the trace from a positive sample to every batch, place and person."""
