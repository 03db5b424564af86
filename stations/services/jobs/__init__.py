"""Firmware, diagnostics and log jobs, the files they move, and message-log retention."""
