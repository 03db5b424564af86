"""Local authorization lists and keeping stations in step with id tokens."""
