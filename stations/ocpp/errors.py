"""CALLERROR codes per OCPP version, and the exception handlers raise to send one.

The `ocpp` package's own mapping is not used (PROTOCOL.md: it answers InternalError to any
handler exception, swaps NotImplemented/NotSupported and uses 2.x codes on 1.6 sockets).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_DESCRIPTION = 255


@dataclass(frozen=True, slots=True)
class ErrorCodes:
    """The names one OCPP version uses for each kind of bad input."""

    framing: str  # frame not JSON / not an OCPP-J array / bad message id
    format: str  # unknown extra property
    occurrence: str  # cardinality (minItems / maxItems)
    required: str  # missing required field
    duplicate_call: str  # message id of a CALL still being processed
    type_constraint: str = "TypeConstraintViolation"
    property_constraint: str = "PropertyConstraintViolation"
    not_implemented: str = "NotImplemented"
    not_supported: str = "NotSupported"
    security: str = "SecurityError"
    internal: str = "InternalError"
    # 2.0.1: a message type number it does not know; None = ignore the frame (1.6).
    message_type_not_supported: str | None = None


V16_ERRORS = ErrorCodes(
    framing="FormationViolation",
    format="FormationViolation",
    # The 1.6 schema spells it this way.
    occurrence="OccurenceConstraintViolation",
    required="ProtocolError",
    duplicate_call="ProtocolError",
)


# OCPP 2.0.1 and 2.1 (Part 4): the framing codes were renamed and the spelling fixed. A missing
# required field is OccurrenceConstraintViolation (PROTOCOL.md lets us pick; documented).
V2X_ERRORS = ErrorCodes(
    framing="RpcFrameworkError",
    format="FormatViolation",
    occurrence="OccurrenceConstraintViolation",
    required="OccurrenceConstraintViolation",
    duplicate_call="RpcFrameworkError",
    message_type_not_supported="MessageTypeNotSupported",
)


class OcppCallError(Exception):
    """Raised by a handler (or the framing) to answer a CALL with a CALLERROR."""

    def __init__(self, code: str, description: str = "", details: dict | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description[:MAX_DESCRIPTION]
        self.details = details or {}
