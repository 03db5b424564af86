"""The OCPP 1.6J adapter: incoming messages (session) and the messages we send (outbound)."""

from .session import ChargePoint16

__all__ = ["ChargePoint16"]
