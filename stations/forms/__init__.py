"""Forms of the operator pages, one module per area."""
