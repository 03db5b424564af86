"""The OCPP 2.1 adapter: the 2.0.1 one plus what 2.1 adds, both directions."""

from .session import ChargePoint21

__all__ = ["ChargePoint21"]
