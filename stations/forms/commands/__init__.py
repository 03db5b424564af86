"""The remote commands of the station page: one small form per command a person sends.

Each form validates the shape of the input for what the station's OCPP version can express
(`adapters.traits`) and gives the keyword arguments of the command's service (`arguments()`).
The service, and the versions whose stations are offered the command, are the command
catalogue's (`stations.services.commands.catalogue`), which the REST API reads too. Choices
that depend on the station (EVSEs, running sessions, reservations, firmware files...) come
from `stations.selectors.CommandOptions`.

The forms live in one module per group of the page (`sessions`, `station`, `smart_charging`,
`maintenance`), on `base.CommandForm`; this package holds the registry and re-exports them.
"""

from __future__ import annotations

from typing import Any

from stations.forms.commands.base import (
    AUTHORIZATION,
    CONNECTOR_WITHOUT_EVSE,
    DISPLAY,
    ENDS_BEFORE_START,
    ID_TOKEN_TOO_LONG,
    IN_THE_PAST,
    MAINTENANCE,
    NO_DISPLAY_MESSAGES,
    NO_FIRMWARE,
    NO_RESERVATIONS,
    NO_SESSIONS,
    NOT_JSON,
    SESSIONS,
    SMART_CHARGING,
    STATION,
    CommandForm,
)
from stations.forms.commands.maintenance import (
    ClearDisplayMessageForm,
    GetBaseReportForm,
    GetDiagnosticsForm,
    GetLogForm,
    GetTransactionStatusForm,
    RequestBatterySwapForm,
    SetDisplayMessageForm,
    UpdateFirmwareForm,
)
from stations.forms.commands.sessions import (
    CancelReservationForm,
    RemoteStartForm,
    RemoteStopForm,
    ReserveNowForm,
)
from stations.forms.commands.smart_charging import (
    ClearChargingProfileForm,
    GetCompositeScheduleForm,
    SetChargingProfileForm,
)
from stations.forms.commands.station import (
    ChangeAvailabilityForm,
    ClearCacheForm,
    DataTransferForm,
    GetLocalListVersionForm,
    ResetForm,
    SendLocalListForm,
    TriggerMessageForm,
    UnlockConnectorForm,
)
from stations.models import Station
from stations.selectors import CommandOptions
from stations.services.commands import catalogue

__all__ = [
    "AUTHORIZATION",
    "CONNECTOR_WITHOUT_EVSE",
    "DISPLAY",
    "ENDS_BEFORE_START",
    "FORMS",
    "GROUPS",
    "ID_TOKEN_TOO_LONG",
    "IN_THE_PAST",
    "MAINTENANCE",
    "NOT_JSON",
    "NO_DISPLAY_MESSAGES",
    "NO_FIRMWARE",
    "NO_RESERVATIONS",
    "NO_SESSIONS",
    "SESSIONS",
    "SMART_CHARGING",
    "STATION",
    "CancelReservationForm",
    "ChangeAvailabilityForm",
    "ClearCacheForm",
    "ClearChargingProfileForm",
    "ClearDisplayMessageForm",
    "CommandForm",
    "DataTransferForm",
    "GetBaseReportForm",
    "GetCompositeScheduleForm",
    "GetDiagnosticsForm",
    "GetLocalListVersionForm",
    "GetLogForm",
    "GetTransactionStatusForm",
    "RemoteStartForm",
    "RemoteStopForm",
    "RequestBatterySwapForm",
    "ReserveNowForm",
    "ResetForm",
    "SendLocalListForm",
    "SetChargingProfileForm",
    "SetDisplayMessageForm",
    "TriggerMessageForm",
    "UnlockConnectorForm",
    "UpdateFirmwareForm",
    "forms_for",
    "offered",
    "spec_for",
]

# --- the registry ----------------------------------------------------------------------------

GROUPS = (SESSIONS, STATION, AUTHORIZATION, SMART_CHARGING, MAINTENANCE, DISPLAY)
FORMS: dict[str, type[CommandForm]] = {
    form.name: form
    for form in (
        RemoteStartForm,
        RemoteStopForm,
        ReserveNowForm,
        CancelReservationForm,
        GetTransactionStatusForm,
        RequestBatterySwapForm,
        ResetForm,
        ChangeAvailabilityForm,
        UnlockConnectorForm,
        TriggerMessageForm,
        DataTransferForm,
        ClearCacheForm,
        SendLocalListForm,
        GetLocalListVersionForm,
        SetChargingProfileForm,
        ClearChargingProfileForm,
        GetCompositeScheduleForm,
        GetDiagnosticsForm,
        GetLogForm,
        UpdateFirmwareForm,
        GetBaseReportForm,
        SetDisplayMessageForm,
        ClearDisplayMessageForm,
    )
}


def spec_for(name: str) -> catalogue.Command:
    """The catalogue's command `name`: the service a form's arguments go to, and its versions."""
    return catalogue.command(name)


def offered(name: str, version: str) -> bool:
    """Whether a station speaking `version` offers command `name` (as the catalogue says)."""
    return name in FORMS and catalogue.offered(spec_for(name), version)


def forms_for(station: Station, options: CommandOptions) -> list[tuple[Any, list[CommandForm]]]:
    """The command forms the station is offered, by group."""
    by_group: dict[Any, list[CommandForm]] = {group: [] for group in GROUPS}
    for name, form_class in FORMS.items():
        if offered(name, station.ocpp_version):
            by_group[form_class.group].append(form_class(station=station, options=options))
    return [(group, items) for group, items in by_group.items() if items]
