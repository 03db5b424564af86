"""Failed station logins, counted per client address across every server process.

A right password is always admitted, whatever the counts say: station ids are public (QR
links), so refusing an id after failures would let anyone keep its station out, and refusing
an address would keep out every station behind one NAT. What failures cost is time, for the
address making them: past OCPP_AUTH_FREE_FAILURES recent failures each refusal is held longer
(1, 2, 4 … up to OCPP_AUTH_BACKOFF_MAX_SECONDS) before it is sent. This module only decides the
delay; the consumer waits it out with asyncio, so no database thread is held by a delay.

Counts live in Django's cache (Redis when REDIS_URL is set), so every process counts together:
two workers allow no more failures than one. An address's count is forgotten after
OCPP_AUTH_FAILURE_WINDOW_SECONDS without a failure.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from backoffice.lib.cache_counters import address_key, bump

_FAILURES = "ocpp-login-failures:{}"
_REGISTRATIONS = "ocpp-auto-registrations:{}"


def record_failure(*, address: str) -> float:
    """Count a failed login from `address`; return the seconds to hold its refusal."""
    failures = bump(
        _FAILURES.format(address_key(address)), window=settings.OCPP_AUTH_FAILURE_WINDOW_SECONDS
    )
    return delay_after(failures)


def delay_after(failures: int) -> float:
    """The hold of the refusal of an address's `failures`-th recent failure."""
    excess = failures - settings.OCPP_AUTH_FREE_FAILURES
    if excess <= 0:
        return 0.0
    return float(min(settings.OCPP_AUTH_BACKOFF_MAX_SECONDS, 2 ** min(excess - 1, 16)))


def allow_auto_registration(*, address: str) -> bool:
    """Count an unknown station's creation from `address`: False past the hourly limit
    (OCPP_UNKNOWN_STATIONS_PER_ADDRESS_PER_HOUR), so one address cannot fill the table."""
    created = bump(_REGISTRATIONS.format(address_key(address)), window=3600)
    return created <= int(settings.OCPP_UNKNOWN_STATIONS_PER_ADDRESS_PER_HOUR)


def failures(*, address: str) -> int:
    """Recent failed logins from `address` (all processes)."""
    return int(cache.get(_FAILURES.format(address_key(address)), 0))
