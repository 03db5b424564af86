"""Who may connect, station passwords and security profiles, certificates and security events."""
