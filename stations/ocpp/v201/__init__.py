"""OCPP 2.0.1 adapter. The handlers live in topic modules; OCPP 2.1 (v21.py) extends this."""

from __future__ import annotations

from .session import ChargePoint201

__all__ = ["ChargePoint201"]
