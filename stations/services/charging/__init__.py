"""The charging core: boot, connections, status, authorization, transactions and meter values."""
