"""The authorisation matrix's city: two district worlds and one logged-in client per role."""

from tests.authz.conftest import matrix  # noqa: F401  (the fixture, shared, not copied)
