"""Secrets in OCPP messages are masked in every copy the back office keeps, whatever the case
of their names (OCPP names are case-insensitive)."""

from __future__ import annotations

import json

import pytest

from stations.services.commands import command_secrets
from stations.services.commands.command_secrets import MASK

NETWORK_PROFILE = {
    "configurationSlot": 1,
    "connectionData": {
        "ocppVersion": "OCPP20",
        "ocppTransport": "JSON",
        "ocppCsmsUrl": "wss://csms.example/ocpp",
        "messageTimeout": 30,
        "securityProfile": 2,
        "ocppInterface": "Wired0",
        "basicAuthPassword": "station-secret-1234",
        "apn": {"apn": "internet", "apnAuthentication": "AUTO", "apnPassword": "apn-secret"},
        "vpn": {
            "server": "vpn.example",
            "user": "cp",
            "password": "vpn-secret",
            "key": "vpn-key",
            "type": "IPSec",
        },
    },
}


def test_a_network_profile_keeps_everything_but_its_passwords_and_keys():
    masked = command_secrets.redact(NETWORK_PROFILE)
    data = masked["connectionData"]
    assert data["basicAuthPassword"] == MASK
    assert data["apn"] == {"apn": "internet", "apnAuthentication": "AUTO", "apnPassword": MASK}
    assert (data["vpn"]["password"], data["vpn"]["key"], data["vpn"]["user"]) == (
        MASK,
        MASK,
        "cp",
    )
    assert data["ocppCsmsUrl"] == "wss://csms.example/ocpp"
    # The payload that goes to the station is left whole.
    assert NETWORK_PROFILE["connectionData"]["basicAuthPassword"] == "station-secret-1234"


def test_only_credential_settings_are_masked():
    secret = {"key": "AuthorizationKey", "value": "0123456789abcdef"}
    plain = {"key": "HeartbeatInterval", "value": "300"}
    assert command_secrets.redact(secret)["value"] == MASK
    assert command_secrets.redact(plain) == plain
    variables = {
        "setVariableData": [
            {
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "BasicAuthPassword"},
                "attributeValue": "new-password-123456",
            },
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
                "attributeValue": "300",
            },
        ]
    }
    masked = command_secrets.redact(variables)["setVariableData"]
    assert [item["attributeValue"] for item in masked] == [MASK, "300"]


def test_a_logged_frame_is_masked_and_other_frames_are_left_alone():
    frame = json.dumps([2, "m1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": "s"}])
    assert json.loads(command_secrets.redact_frame(frame))[3] == {
        "key": "AuthorizationKey",
        "value": MASK,
    }
    reset = json.dumps([2, "m2", "Reset", {"type": "Soft"}])
    assert command_secrets.redact_frame(reset) is reset
    assert command_secrets.redact_frame("not json AuthorizationKey") == "not json AuthorizationKey"


SPELLINGS = ["AuthorizationKey", "authorizationkey", "AUTHORIZATIONKEY", " authorizationKey "]
VARIABLES = ["BasicAuthPassword", "basicauthpassword", "BASICAUTHPASSWORD", "basicAuthPassword"]


@pytest.mark.parametrize("name", [*SPELLINGS, *VARIABLES, "ApnPassword", "vpnkey", "VPNPASSWORD"])
def test_a_secret_name_is_one_in_any_case(name):
    assert command_secrets.is_secret_name(name)
    assert command_secrets.kept_value(name, "s3cret") == MASK


@pytest.mark.parametrize(
    "name", ["HeartbeatInterval", "AuthorizationKeyLength", "Password", 7, None]
)
def test_other_names_are_not_secret(name):
    assert not command_secrets.is_secret_name(name)


@pytest.mark.parametrize("key", SPELLINGS)
def test_a_16_key_is_masked_in_any_case_sent_or_answered(key):
    assert command_secrets.redact({"key": key, "value": "s3cret"})["value"] == MASK
    answer = {
        "configurationKey": [
            {"key": key, "readonly": False, "value": "s3cret"},
            {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
        ]
    }
    masked = command_secrets.redact(answer)["configurationKey"]
    assert [item["value"] for item in masked] == [MASK, "300"]


COMPONENTS = [
    {"name": "SecurityCtrlr"},
    {"name": "securityctrlr"},
    {"name": "SECURITYCTRLR", "instance": "Primary"},
    {"name": "NetworkConfiguration", "instance": "1", "evse": {"id": 1, "connectorId": 1}},
]


@pytest.mark.parametrize("component", COMPONENTS)
@pytest.mark.parametrize("variable", VARIABLES)
def test_a_2x_variable_is_masked_in_any_case_component_instance_and_evse(component, variable):
    item = {"component": component, "variable": {"name": variable, "instance": "x"}}
    for payload, path in [
        ({"setVariableData": [{**item, "attributeValue": "s3cret"}]}, ("setVariableData", 0)),
        (
            {"getVariableResult": [{**item, "attributeStatus": "Accepted", "attributeValue": "s"}]},
            ("getVariableResult", 0),
        ),
        ({"eventData": [{**item, "eventId": 1, "actualValue": "s3cret"}]}, ("eventData", 0)),
    ]:
        masked = command_secrets.redact(payload)[path[0]][path[1]]
        assert masked.get("attributeValue", masked.get("actualValue")) == MASK
    report = {"reportData": [{**item, "variableAttribute": [{"type": "Actual", "value": "s"}]}]}
    masked_report = command_secrets.redact(report)["reportData"][0]
    assert masked_report["variableAttribute"] == [{"type": "Actual", "value": MASK}]
    frame = json.dumps([2, "m", "NotifyReport", report])
    assert "s3cret" not in command_secrets.redact_frame(frame.replace('"s"', '"s3cret"'))


def test_a_name_spelt_with_json_escapes_is_still_masked():
    frame = '[3,"m",{"configurationKey":[{"key":"Authorization\\u004bey","value":"s3cret"}]}]'
    assert "s3cret" not in command_secrets.redact_frame(frame)
