"""The device model and its reports, monitors, display messages, network profiles, customer data."""
