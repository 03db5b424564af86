"""Frozen, version-neutral values passed between the OCPP adapters and the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class EvseRef:
    """EVSE N / connector M. 1.6 connector N is EvseRef(N, 1); the station itself is None."""

    evse_id: int
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class IdTokenInfo:
    status: str
    expires_at: datetime | None = None
    group_id_token: str | None = None
    # The group token's type when the back office knows it (2.x groupIdToken.type).
    group_id_token_type: str | None = None
    # The IdToken row the decision was made for (None for unknown tokens).
    token_pk: int | None = None
    # The user that token belongs to (None: nobody's, or an unknown token).
    owner_id: int | None = None


@dataclass(frozen=True, slots=True)
class SampledValue:
    value: str
    measurand: str | None = None
    phase: str | None = None
    location: str | None = None
    unit: str | None = None
    context: str | None = None
    format: str | None = None
    # 2.x signedMeterValue (signed data, signing and encoding methods, public key).
    signed_meter_value: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k in self.__slots__ if (v := getattr(self, k)) is not None}


@dataclass(frozen=True, slots=True)
class MeterReading:
    timestamp: datetime
    samples: tuple[SampledValue, ...]


@dataclass(frozen=True, slots=True)
class BootInfo:
    vendor: str
    model: str
    serial_number: str = ""
    charge_box_serial_number: str = ""
    firmware_version: str = ""
    iccid: str = ""
    imsi: str = ""
    meter_type: str = ""
    meter_serial_number: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BootResult:
    status: str
    interval: int
    current_time: datetime


@dataclass(frozen=True, slots=True)
class StatusReport:
    evse: EvseRef | None
    status: str
    timestamp: datetime
    error_code: str = ""
    info: str = ""
    vendor_id: str = ""
    vendor_error_code: str = ""


@dataclass(frozen=True, slots=True)
class StartResult:
    transaction_id: str
    id_token_info: IdTokenInfo
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class DataTransferResult:
    status: str
    data: str | None = None
