"""DER control (OCPP 2.1 block R): SetDERControl, GetDERControl and ClearDERControl. Earlier
versions refuse them as messages only 2.1 has (`builds_new`)."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.smart_charging import der_control
from stations.services.smart_charging.requests import (
    ClearDerControl,
    DerAnswer,
    GetDerControl,
    SetDerControl,
)

from .adapter import ADAPTER, builds_new

# The request field holding each setting type's object; every other type is a curve.
_SETTING_FIELDS = {
    "EnterService": "enterService",
    "FreqDroop": "freqDroop",
    "FixedPFAbsorb": "fixedPFAbsorb",
    "FixedPFInject": "fixedPFInject",
    "FixedVar": "fixedVar",
    "Gradients": "gradient",
    "LimitMaxDischarge": "limitMaxDischarge",
}
# Payload field -> the neutral request's field, for schema violations (`ADAPTER.builds`).
_FILTER_FIELDS = {
    "isDefault": "is_default",
    "controlType": "control_type",
    "controlId": "control_id",
}
# Whichever payload field carries it, the setting is the request's `setting`.
_SETTING_REQUEST_FIELDS = dict.fromkeys((*_SETTING_FIELDS.values(), "curve"), "setting")

UNKNOWN_CONTROL_TYPE = "Unknown DER control type {control_type!r}."
SCHEDULED_NEEDS_WINDOW = (
    "A scheduled DER control needs a startTime and a duration; "
    "without them, set it as a default control."
)
DEFAULT_HAS_NO_WINDOW = (
    "A default DER control has no startTime or duration; to schedule it, set is_default false."
)
NOT_SCHEDULABLE = "{control_type} is only ever a default DER control."


@builds_new(SetDerControl, fields={**_FILTER_FIELDS, **_SETTING_REQUEST_FIELDS})
def set_der_control(request: SetDerControl, version: str) -> Message:
    field = setting_field(request.control_type)
    setting = request.setting
    scheduled = "startTime" in setting or "duration" in setting
    if request.control_type in der_control.UNSCHEDULED_TYPES and not request.is_default:
        raise CommandInvalid(
            NOT_SCHEDULABLE.format(control_type=request.control_type), field="is_default"
        )
    if request.is_default and scheduled:
        raise CommandInvalid(DEFAULT_HAS_NO_WINDOW, field="setting")
    if not request.is_default and ("startTime" not in setting or "duration" not in setting):
        raise CommandInvalid(SCHEDULED_NEEDS_WINDOW, field="setting")
    return Message(
        "SetDERControl",
        {
            "isDefault": request.is_default,
            "controlId": request.control_id,
            "controlType": request.control_type,
            field: setting,
        },
    )


@builds_new(GetDerControl, fields=_FILTER_FIELDS)
def get_der_control(request: GetDerControl, version: str) -> Message:
    payload: dict[str, Any] = {"requestId": request.request_id}
    payload.update(_filters(request.is_default, request.control_type, request.control_id))
    return Message("GetDERControl", payload)


@builds_new(ClearDerControl, fields=_FILTER_FIELDS)
def clear_der_control(request: ClearDerControl, version: str) -> Message:
    return Message(
        "ClearDERControl", _filters(request.is_default, request.control_type, request.control_id)
    )


@ADAPTER.reads(SetDerControl)
@ADAPTER.reads(GetDerControl)
@ADAPTER.reads(ClearDerControl)
def der_answer(request: Any, response: dict[str, Any], version: str) -> DerAnswer:
    info = response.get("statusInfo") or {}
    return DerAnswer(
        reason=info.get("reasonCode", ""),
        detail=info.get("additionalInfo", ""),
        superseded_ids=tuple(response.get("supersededIds") or ()),
    )


def setting_field(control_type: str) -> str:
    """The SetDERControlRequest field that carries a control type's setting."""
    if control_type not in der_control.CONTROL_TYPES:
        raise CommandInvalid(
            UNKNOWN_CONTROL_TYPE.format(control_type=control_type), field="control_type"
        )
    return _SETTING_FIELDS.get(control_type, "curve")


def _filters(
    is_default: bool | None, control_type: str | None, control_id: str | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if is_default is not None:
        payload["isDefault"] = is_default
    if control_type is not None:
        setting_field(control_type)
        payload["controlType"] = control_type
    if control_id is not None:
        payload["controlId"] = control_id
    return payload
