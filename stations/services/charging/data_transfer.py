"""DataTransfer: every message is stored; vendors we understand register a handler."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from stations.models import DataTransferRecord
from stations.services.types import DataTransferResult

log = structlog.get_logger(__name__)

# (station_id, message_id, data) -> result
Handler = Callable[[int, str | None, str | None], DataTransferResult]
_handlers: dict[str, Handler] = {}

UNKNOWN_VENDOR = "UnknownVendorId"


def register(vendor_id: str) -> Callable[[Handler], Handler]:
    """Decorator: route DataTransfer messages of `vendor_id` to the decorated function."""

    def decorator(func: Handler) -> Handler:
        _handlers[vendor_id] = func
        return func

    return decorator


def unregister(vendor_id: str) -> None:
    _handlers.pop(vendor_id, None)


def receive(
    *, station_id: int, vendor_id: str, message_id: str | None, data: str | None
) -> DataTransferResult:
    """Store the message and answer with the vendor handler's result, or UnknownVendorId."""
    handler = _handlers.get(vendor_id)
    result = (
        handler(station_id, message_id, data) if handler else DataTransferResult(UNKNOWN_VENDOR)
    )
    DataTransferRecord.objects.create(
        station_id=station_id,
        vendor_id=vendor_id,
        message_id=message_id or "",
        data=data or "",
        response_status=result.status,
    )
    return result
