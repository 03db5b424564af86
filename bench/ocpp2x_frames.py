"""OCPP 2.0.1 / 2.1 payloads a simulated station sends, built by hand (no schema validation).

The messages the load uses have the same shape in both versions; payloads follow both
versions' JSON schemas, which the back office and the bare server validate.
"""

from __future__ import annotations

from ocpp16_frames import Payload, now_iso

VENDOR = "BenchVendor"
ID_TOKEN_TYPE = "ISO14443"  # noqa: S105 - an idToken type, not a password
STARTED, UPDATED, ENDED = "Started", "Updated", "Ended"


def boot_notification(serial: str, model: str) -> Payload:
    return {
        "chargingStation": {
            "vendorName": VENDOR,
            "model": model,
            "serialNumber": serial,
            "firmwareVersion": "1.0.0",
        },
        "reason": "PowerUp",
    }


def status_notification(evse_id: int, connector_id: int, status: str) -> Payload:
    return {
        "timestamp": now_iso(),
        "connectorStatus": status,
        "evseId": evse_id,
        "connectorId": connector_id,
    }


def heartbeat() -> Payload:
    return {}


def id_token(token: str) -> Payload:
    return {"idToken": token, "type": ID_TOKEN_TYPE}


def authorize(token: str) -> Payload:
    return {"idToken": id_token(token)}


def sampled_values(energy_wh: int, power_w: int, context: str) -> list[Payload]:
    """Eight measurands, as a three-phase AC charger reports them (values are numbers in 2.x)."""
    amps = round(power_w / 3 / 230, 1)
    values: list[tuple[str, str | None, float, str]] = [
        ("Energy.Active.Import.Register", None, energy_wh, "Wh"),
        ("Power.Active.Import", None, power_w, "W"),
    ]
    values += [("Current.Import", phase, amps, "A") for phase in ("L1", "L2", "L3")]
    values += [("Voltage", phase, 230.0, "V") for phase in ("L1-N", "L2-N", "L3-N")]
    samples = []
    for measurand, phase, value, unit in values:
        sample: Payload = {
            "value": value,
            "context": context,
            "measurand": measurand,
            "location": "Outlet",
            "unitOfMeasure": {"unit": unit},
        }
        if phase:
            sample["phase"] = phase
        samples.append(sample)
    return samples


def meter_value_element(energy_wh: int, power_w: int, context: str) -> Payload:
    return {"timestamp": now_iso(), "sampledValue": sampled_values(energy_wh, power_w, context)}


def transaction_event(
    event_type: str,
    seq_no: int,
    transaction_id: str,
    trigger_reason: str,
    element: Payload,
    **extra: Payload,
) -> Payload:
    """One TransactionEvent with one meterValue element; `extra` adds top-level fields
    (`evse`, `idToken`) and `info` fields of transactionInfo."""
    info = {"transactionId": transaction_id, **extra.pop("info", {})}
    return {
        "eventType": event_type,
        "timestamp": element["timestamp"],
        "triggerReason": trigger_reason,
        "seqNo": seq_no,
        "transactionInfo": info,
        "meterValue": [element],
        **extra,
    }
