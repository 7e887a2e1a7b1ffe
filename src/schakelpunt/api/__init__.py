"""The API for other systems (/api/v1/): authentication of connected systems, scopes, and
the conventions of the Dutch API Design Rules shared by every endpoint."""
