"""The driver's REST API, mounted under /api/v1/me/: everything scoped to the caller."""
