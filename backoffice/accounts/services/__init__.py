"""State changes of the accounts app, one module per subdomain (STYLE rule 1)."""
