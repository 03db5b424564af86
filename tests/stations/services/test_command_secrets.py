"""Secrets in commands are masked in every copy the back office keeps."""

from __future__ import annotations

import json

from stations.services import command_secrets
from stations.services.command_secrets import MASK

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
    masked = command_secrets.redact("SetNetworkProfile", NETWORK_PROFILE)
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
    assert command_secrets.redact("ChangeConfiguration", secret)["value"] == MASK
    assert command_secrets.redact("ChangeConfiguration", plain) == plain
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
    masked = command_secrets.redact("SetVariables", variables)["setVariableData"]
    assert [item["attributeValue"] for item in masked] == [MASK, "300"]


def test_a_logged_call_frame_is_masked_and_other_frames_are_left_alone():
    frame = json.dumps([2, "m1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": "s"}])
    assert json.loads(command_secrets.redact_call_frame("ChangeConfiguration", frame))[3] == {
        "key": "AuthorizationKey",
        "value": MASK,
    }
    reset = json.dumps([2, "m2", "Reset", {"type": "Soft"}])
    assert command_secrets.redact_call_frame("Reset", reset) is reset
