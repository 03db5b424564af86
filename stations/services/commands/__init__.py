"""The command bus and the remote commands sent through it."""
