"""Reservations: a station holds an EVSE (or any EVSE) for a driver's id token."""
