"""Cross-cutting machinery with no domain knowledge: rights, jurisdiction scoping, privacy
masking, audit, two-person approval, retention purge, login throttling and jobs.

Invariant: every read of owned data goes through :func:`fangkong.core.jurisdiction.scope`, and
every write records an :class:`~fangkong.core.models.AuditLog` row in its own transaction.
"""
