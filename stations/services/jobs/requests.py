"""Version-neutral requests of station jobs (see `commands.adapters`): uploads of diagnostics
and logs, and firmware updates; and the neutral reading of their answers.

A request refuses what no version could send (CommandInvalid when made); each version's adapter
refuses what its own version cannot (1.6: an install time for unsigned firmware; 2.x: no
GetDiagnostics, which the services say before opening a job).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Request

LOG_TYPES = ("DiagnosticsLog", "SecurityLog")
UNKNOWN_LOG_TYPE = "The log type is DiagnosticsLog or SecurityLog."
V2X_HAS_NO_GET_DIAGNOSTICS = "OCPP 2.x has no GetDiagnostics: ask for a log instead."
SIGNATURE_NEEDS_CERTIFICATE = (
    "This firmware has a signature without its signing certificate, or a certificate without "
    "a signature: give both, or neither."
)
NEGATIVE_RETRY = "Retries and the retry interval are zero or more."
V16_INSTALL_TIME_NEEDS_SIGNED = (
    "OCPP 1.6 can only delay the installation of signed firmware: sign it, or leave the "
    "install time out."
)


@dataclass(frozen=True, slots=True)
class GetDiagnostics(Request):
    """Upload the station's diagnostics to `location` (OCPP 1.6 only)."""

    title: ClassVar[str] = "GetDiagnostics"
    location: str
    start_time: datetime | None = None
    stop_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class GetLog(Request):
    """Upload a log to `location` (2.x, and the 1.6 security extension)."""

    title: ClassVar[str] = "GetLog"
    log_type: str
    request_id: int
    location: str
    oldest: datetime | None = None
    latest: datetime | None = None

    def __post_init__(self) -> None:
        if self.log_type not in LOG_TYPES:
            raise CommandInvalid(UNKNOWN_LOG_TYPE, field="log_type")


@dataclass(frozen=True, slots=True)
class UpdateFirmware(Request):
    """Fetch firmware from `location` and install it; signed firmware (both a signature and a
    signing certificate) goes with them. `retry_interval` in seconds."""

    title: ClassVar[str] = "UpdateFirmware"
    request_id: int
    location: str
    retrieve_at: datetime
    install_at: datetime | None = None
    retries: int | None = None
    retry_interval: int | None = None
    signature: str = ""
    signing_certificate: str = ""

    def __post_init__(self) -> None:
        if bool(self.signature) != bool(self.signing_certificate):
            raise CommandInvalid(SIGNATURE_NEEDS_CERTIFICATE, field="firmware_id")
        for name, value in (("retries", self.retries), ("retry_interval", self.retry_interval)):
            if value is not None and value < 0:
                raise CommandInvalid(NEGATIVE_RETRY, field=name)

    @property
    def signed(self) -> bool:
        return bool(self.signature)


@dataclass(frozen=True, slots=True)
class JobAnswer:
    """A station's answer to a job's request: its status (answers without one: Accepted, the
    station took the job), and the name of the file it will upload, when it says."""

    status: str
    file_name: str = ""
