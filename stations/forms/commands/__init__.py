"""The remote commands of the station page: one small form per command a person sends.

Each form validates the shape of the input for what the station's OCPP version can express
(`adapters.traits`) and gives the keyword arguments of the command's service (`arguments()`).
The service, and the versions whose stations are offered the command, are the command
catalogue's (`stations.services.commands.catalogue`), which the REST API reads too. Choices
that depend on the station (EVSEs, running sessions, firmware files...) come from
`stations.selectors.CommandOptions`.

The forms live in one module per group of the page (`sessions`, `station`, `smart_charging`,
`maintenance`), on `base.CommandForm`; this package holds the registry and re-exports them.
Another app's forms (reservations) are `register`ed by its `AppConfig.ready`, as its commands
join the catalogue, so the station page does not import the apps that build on the stations.
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
from stations.forms.commands.sessions import RemoteStartForm, RemoteStopForm
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
    "NO_SESSIONS",
    "SESSIONS",
    "SMART_CHARGING",
    "STATION",
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
    "ResetForm",
    "SendLocalListForm",
    "SetChargingProfileForm",
    "SetDisplayMessageForm",
    "TriggerMessageForm",
    "UnlockConnectorForm",
    "UpdateFirmwareForm",
    "forms_for",
    "offered",
    "register",
    "spec_for",
]

# --- the registry ----------------------------------------------------------------------------

GROUPS = (SESSIONS, STATION, AUTHORIZATION, SMART_CHARGING, MAINTENANCE, DISPLAY)
FORMS: dict[str, type[CommandForm]] = {
    form.name: form
    for form in (
        RemoteStartForm,
        RemoteStopForm,
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


def register(*form_classes: type[CommandForm], after: str) -> None:
    """Add another app's forms, shown in this order right after form `after` in its group.

    Registering the same forms again changes nothing; another form of a taken name is refused.
    """
    fresh = [form for form in form_classes if FORMS.get(form.name) is not form]
    for form in fresh:
        if form.name in FORMS:
            raise ValueError(f"Two command forms are named {form.name!r}.")
    if not fresh:
        return
    listed = list(FORMS.items())
    at = [name for name, _form in listed].index(after) + 1
    listed[at:at] = [(form.name, form) for form in fresh]
    FORMS.clear()
    FORMS.update(listed)


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
