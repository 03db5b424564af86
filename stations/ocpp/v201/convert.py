"""2.x payload pieces <-> version-neutral values, shared by the 2.0.1 and 2.1 adapters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime, parse_ocpp_datetime
from stations.services.types import EvseRef, IdTokenInfo, MeterReading, SampledValue

# What a group token is called when the back office does not know its type.
_GROUP_TOKEN_TYPE = "Central"  # noqa: S105 - an id token type, not a secret


def evse_ref(evse: dict[str, Any] | None) -> EvseRef | None:
    if not evse:
        return None
    return EvseRef(evse_id=evse["id"], connector_id=evse.get("connector_id"))


def id_token_info(info: IdTokenInfo) -> dict[str, Any]:
    """An IdTokenInfoType (snake_case; the session converts to camelCase)."""
    result: dict[str, Any] = {"status": info.status}
    if info.expires_at is not None:
        result["cache_expiry_date_time"] = format_ocpp_datetime(info.expires_at)
    if info.group_id_token:
        result["group_id_token"] = {
            "id_token": info.group_id_token,
            "type": info.group_id_token_type or _GROUP_TOKEN_TYPE,
        }
    return result


def _value(sample: dict[str, Any]) -> str:
    # unitOfMeasure.multiplier is a power of ten: keep the value in the stated unit.
    multiplier = (sample.get("unit_of_measure") or {}).get("multiplier", 0)
    value = Decimal(str(sample["value"]))
    return str(value.scaleb(multiplier)) if multiplier else str(value)


def readings(meter_value: list[dict[str, Any]] | None) -> tuple[MeterReading, ...]:
    return tuple(
        MeterReading(
            timestamp=parse_ocpp_datetime(element["timestamp"]).value,
            samples=tuple(
                SampledValue(
                    value=_value(s),
                    measurand=s.get("measurand"),
                    phase=s.get("phase"),
                    location=s.get("location"),
                    unit=(s.get("unit_of_measure") or {}).get("unit"),
                    context=s.get("context"),
                    signed_meter_value=s.get("signed_meter_value"),
                )
                for s in element["sampled_value"]
            ),
        )
        for element in meter_value or []
    )


# 2.1 stoppedReason values of a station that stopped at the transactionLimit it was sent.
_LIMIT_REASONS = {
    "EnergyLimitReached": "energy",
    "TimeLimitReached": "time",
    "CostLimitReached": "cost",
}


def stopped_at_limit(reason: str | None) -> str:
    """The limit a stop reason says the station stopped at ("energy", "time", "cost"), or ""."""
    return _LIMIT_REASONS.get(reason or "", "")
