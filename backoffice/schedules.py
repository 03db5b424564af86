"""The periodic tasks: celery beat runs them in production (`manage.py setup_periodic_tasks`
writes them as django-celery-beat rows), `manage.py serve` itself in the embedded quick start
(`backoffice.embedded_beat`)."""

from __future__ import annotations

from typing import Any

# name: (task, crontab fields)
SCHEDULES: dict[str, tuple[str, dict[str, Any]]] = {
    "Purge the OCPP message log": (
        "stations.tasks.purge_message_log",
        {"minute": "17", "hour": "3"},
    ),
    "Expire overdue reservations": (
        "reservations.tasks.expire_reservations",
        {"minute": "*"},
    ),
    # nginx refuses a CA's certificates once its CRL has expired (CRLs last 30 days).
    "Publish the CA certificates and CRLs for the TLS proxy": (
        "stations.tasks.refresh_ca_export",
        {"minute": "41", "hour": "4"},
    ),
    "Check drivers' sessions (limits, idle cars)": (
        "backoffice.portal.tasks.check_sessions",
        {"minute": "*"},
    ),
}
