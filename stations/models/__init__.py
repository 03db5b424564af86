"""The stations app's models, one module per area."""

from __future__ import annotations

from .certificates import CertificateAuthority, InstalledCertificate, IssuedCertificate
from .commands import Command
from .customer_information import CustomerInformationRequest
from .device_model import (
    Component,
    DeviceEvent,
    DeviceModelReport,
    Variable,
    VariableAttribute,
    VariableMonitor,
)
from .device_reports import DeviceReportRequest
from .display_messages import DisplayMessage
from .local_list import LocalAuthList, LocalListEntry
from .monitoring import MonitoringReportRequest
from .records import (
    BatterySwapEvent,
    DataTransferRecord,
    FirmwareFile,
    MessageLog,
    SecurityEvent,
    StationJob,
    StationReport,
)
from .smart_charging import ChargingProfile
from .stations import Connector, Evse, Site, Station, StationConnection, StatusEvent, Worker
from .transactions import MeterValue, Transaction, TransactionEvent
from .v21 import DefaultTariff, DerControl, DerControlReport, PeriodicEventStream

__all__ = [
    "BatterySwapEvent",
    "CertificateAuthority",
    "ChargingProfile",
    "Command",
    "Component",
    "Connector",
    "CustomerInformationRequest",
    "DataTransferRecord",
    "DefaultTariff",
    "DerControl",
    "DerControlReport",
    "DeviceEvent",
    "DeviceModelReport",
    "DeviceReportRequest",
    "DisplayMessage",
    "Evse",
    "FirmwareFile",
    "InstalledCertificate",
    "IssuedCertificate",
    "LocalAuthList",
    "LocalListEntry",
    "MessageLog",
    "MeterValue",
    "MonitoringReportRequest",
    "PeriodicEventStream",
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
