"""Centralised and home quarantine: facilities and rooms, assignment and transport, orders with
their policy-dated test schedule, daily checks, release with a certificate, and the capacity
forecast against the reserve."""
