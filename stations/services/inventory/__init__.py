"""Sites and station registration by hand."""
