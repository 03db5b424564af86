"""The stations app's models, one module per area."""

from __future__ import annotations

from .commands import Command
from .device_model import (
    Component,
    DeviceEvent,
    DeviceModelReport,
    Variable,
    VariableAttribute,
    VariableMonitor,
)
from .records import (
    BatterySwapEvent,
    DataTransferRecord,
    FirmwareFile,
    MessageLog,
    SecurityEvent,
    StationJob,
    StationReport,
)
from .stations import Connector, Evse, Site, Station, StationConnection, StatusEvent, Worker
from .transactions import MeterValue, Transaction, TransactionEvent

__all__ = [
    "BatterySwapEvent",
    "Command",
    "Component",
    "Connector",
    "DataTransferRecord",
    "DeviceEvent",
    "DeviceModelReport",
    "Evse",
    "FirmwareFile",
    "MessageLog",
    "MeterValue",
    "SecurityEvent",
    "Site",
    "Station",
    "StationConnection",
    "StationJob",
    "StationReport",
    "StatusEvent",
    "Transaction",
    "TransactionEvent",
    "Variable",
    "VariableAttribute",
    "VariableMonitor",
    "Worker",
]
