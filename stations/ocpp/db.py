"""How OCPP code reaches the ORM from the event loop.

`database_sync_to_async` (thread_sensitive) runs every query of the process on one thread;
the hot path is measured with it (bench/) and it keeps SQLite and connection handling simple.
Change it here, in one place, when measurements call for a pool of threads.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

run_db = database_sync_to_async
