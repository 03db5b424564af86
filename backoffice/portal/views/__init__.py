"""The driver's pages, one module per area. Every read goes through `portal.selectors`, scoped
to the signed-in user (another driver's id is a 404); every change through a service."""
