"""Charging profiles, composite schedules and DER control."""
