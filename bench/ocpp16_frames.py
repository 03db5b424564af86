"""OCPP 1.6J payloads a simulated station sends, built by hand (no schema validation).

Payloads follow the 1.6 JSON schemas; the back office and the bare server validate them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Payload = dict[str, Any]

VENDOR = "BenchVendor"
MODEL = "Bench-16"


def now_iso() -> str:
    """UTC with milliseconds: successive samples of one station never share a timestamp."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def boot_notification(serial: str) -> Payload:
    return {
        "chargePointVendor": VENDOR,
        "chargePointModel": MODEL,
        "chargePointSerialNumber": serial,
        "firmwareVersion": "1.0.0",
        "meterType": "BenchMeter",
    }


def status_notification(connector_id: int, status: str) -> Payload:
    return {
        "connectorId": connector_id,
        "errorCode": "NoError",
        "status": status,
        "timestamp": now_iso(),
    }


def heartbeat() -> Payload:
    return {}


def authorize(id_tag: str) -> Payload:
    return {"idTag": id_tag}


def start_transaction(connector_id: int, id_tag: str, meter_start_wh: int) -> Payload:
    return {
        "connectorId": connector_id,
        "idTag": id_tag,
        "meterStart": meter_start_wh,
        "timestamp": now_iso(),
    }


def sampled_values(energy_wh: int, power_w: int, context: str) -> list[Payload]:
    """Eight measurands, as a three-phase AC charger reports them."""
    amps = f"{power_w / 3 / 230:.1f}"
    values: list[tuple[str, str | None, str, str]] = [
        ("Energy.Active.Import.Register", None, str(energy_wh), "Wh"),
        ("Power.Active.Import", None, str(power_w), "W"),
    ]
    values += [("Current.Import", phase, amps, "A") for phase in ("L1", "L2", "L3")]
    values += [("Voltage", phase, "230.0", "V") for phase in ("L1-N", "L2-N", "L3-N")]
    samples = []
    for measurand, phase, value, unit in values:
        sample = {
            "value": value,
            "context": context,
            "format": "Raw",
            "measurand": measurand,
            "location": "Outlet",
            "unit": unit,
        }
        if phase:
            sample["phase"] = phase
        samples.append(sample)
    return samples


def meter_value_element(energy_wh: int, power_w: int, context: str) -> Payload:
    return {"timestamp": now_iso(), "sampledValue": sampled_values(energy_wh, power_w, context)}


def meter_values(connector_id: int, transaction_id: int, element: Payload) -> Payload:
    return {"connectorId": connector_id, "transactionId": transaction_id, "meterValue": [element]}


def stop_transaction(
    transaction_id: int, id_tag: str, meter_stop_wh: int, transaction_data: list[Payload]
) -> Payload:
    return {
        "transactionId": transaction_id,
        "idTag": id_tag,
        "meterStop": meter_stop_wh,
        "timestamp": now_iso(),
        "reason": "Local",
        "transactionData": transaction_data,
    }
