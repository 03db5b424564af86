"""SetNetworkProfile in OCPP 2.0.1 and 2.1. 2.0.1 requires the profile's OCPP version and
knows OCPP12..OCPP20, no "Any" interface and security profiles 1 to 3; 2.1 adds OCPP201 /
OCPP21, the "Any" interface, profile 0, and the identity and basic-auth password to use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.device.network_profiles import (
    APN_AUTHENTICATIONS,
    APN_INCOMPLETE,
    BAD_SECURITY_PROFILE,
    BAD_SLOT,
    BAD_TIMEOUT,
    BAD_URL,
    INTERFACES,
    INTERFACES_V21,
    PROFILE_INCOMPLETE,
    SECURITY_DOWNGRADE,
    UNKNOWN_INTERFACE,
    UNKNOWN_TRANSPORT,
    UNKNOWN_VERSION,
    VERSION_REQUIRED,
    VPN_INCOMPLETE,
    VPN_TYPES,
)
from stations.services.device.requests import SetNetworkProfile

from .adapter import ADAPTER
from .only_in_21 import V21, require_v21

SECURITY_PROFILES = {"2.0.1": range(1, 4), "2.1": range(4)}
_SOAP_VERSIONS = frozenset({"OCPP12", "OCPP15", "OCPP16"})
_APN_FIELDS = {
    "apn": "apn",
    "apn_user_name": "apnUserName",
    "apn_password": "apnPassword",
    "sim_pin": "simPin",
    "preferred_network": "preferredNetwork",
    "use_only_preferred_network": "useOnlyPreferredNetwork",
    "apn_authentication": "apnAuthentication",
}


# The profile's OCPP versions a station of each 2.x version knows.
OCPP_VERSIONS = {
    "2.0.1": ("OCPP12", "OCPP15", "OCPP16", "OCPP20"),
    "2.1": ("OCPP12", "OCPP15", "OCPP16", "OCPP20", "OCPP201", "OCPP21"),
}


@ADAPTER.builds(
    SetNetworkProfile,
    fields={
        "configurationSlot": "configuration_slot",
        "connectionData": "connection_data",
        "connectionData.ocppCsmsUrl": "ocpp_csms_url",
        "connectionData.identity": "identity",
        "connectionData.basicAuthPassword": "basic_auth_password",
        "connectionData.apn": "apn",
        "connectionData.vpn": "vpn",
    },
)
def set_network_profile(request: SetNetworkProfile, version: str) -> Message:
    if request.configuration_slot < 0:
        raise CommandInvalid(BAD_SLOT, field="configuration_slot")
    data = request.connection
    if any(
        value in (None, "")
        for value in (data.ocpp_csms_url, data.security_profile, data.ocpp_interface)
    ):
        raise CommandInvalid(PROFILE_INCOMPLETE, field="connection_data")
    profile: dict[str, Any] = {
        "ocppTransport": data.ocpp_transport or "JSON",
        "ocppCsmsUrl": data.ocpp_csms_url,
        "messageTimeout": data.message_timeout or 30,
        "securityProfile": data.security_profile,
        "ocppInterface": data.ocpp_interface,
    }
    ocpp_version = data.ocpp_version
    if ocpp_version:
        if ocpp_version not in OCPP_VERSIONS[version]:
            versions = ", ".join(OCPP_VERSIONS[version])
            raise CommandInvalid(UNKNOWN_VERSION.format(versions=versions), field="ocpp_version")
        profile["ocppVersion"] = ocpp_version
    elif version != V21:
        raise CommandInvalid(VERSION_REQUIRED, field="ocpp_version")
    _check_transport(profile["ocppTransport"], ocpp_version)
    _check_interface(version, profile["ocppInterface"])
    _check_security(version, profile["securityProfile"], request.current_security_profile)
    _check_url(profile["ocppCsmsUrl"], profile["securityProfile"])
    if profile["messageTimeout"] <= 0:
        raise CommandInvalid(BAD_TIMEOUT, field="message_timeout")
    for key, camel, value in (
        ("identity", "identity", data.identity),
        ("basic_auth_password", "basicAuthPassword", data.basic_auth_password),
    ):
        if value:
            require_v21(version, f"A profile's {key.replace('_', ' ')}", field=key)
            profile[camel] = value
    if data.apn:
        profile["apn"] = _apn(data.apn)
    if data.vpn:
        profile["vpn"] = _vpn(data.vpn)
    return Message(
        "SetNetworkProfile",
        {"configurationSlot": request.configuration_slot, "connectionData": profile},
    )


# --- helpers ---------------------------------------------------------------------------------


def _check_transport(transport: str, ocpp_version: str) -> None:
    # OCPP 2.x speaks JSON only; SOAP is for a 1.x back end.
    if transport == "JSON" or (transport == "SOAP" and ocpp_version in _SOAP_VERSIONS):
        return
    raise CommandInvalid(UNKNOWN_TRANSPORT, field="ocpp_transport")


def _check_interface(version: str, interface: str) -> None:
    interfaces = INTERFACES + (INTERFACES_V21 if version == V21 else ())
    if interface in INTERFACES_V21:
        require_v21(version, f"The network interface {interface}", field="ocpp_interface")
    if interface not in interfaces:
        raise CommandInvalid(
            UNKNOWN_INTERFACE.format(interfaces=", ".join(interfaces)), field="ocpp_interface"
        )


def _check_security(version: str, profile: int, current: int) -> None:
    allowed = SECURITY_PROFILES[version]
    if profile not in allowed:
        profiles = ", ".join(str(number) for number in allowed)
        raise CommandInvalid(
            BAD_SECURITY_PROFILE.format(profiles=profiles), field="security_profile"
        )
    if profile < current:
        raise CommandInvalid(
            SECURITY_DOWNGRADE.format(current=current, new=profile), field="security_profile"
        )


def _check_url(url: str, security_profile: int) -> None:
    parts = urlsplit(url)
    scheme = "wss" if security_profile >= 2 else "ws"
    if parts.scheme != scheme or not parts.hostname:
        raise CommandInvalid(BAD_URL, field="ocpp_csms_url")


def _apn(apn: Mapping[str, Any]) -> dict[str, Any]:
    if not apn.get("apn") or apn.get("apn_authentication") not in APN_AUTHENTICATIONS:
        raise CommandInvalid(APN_INCOMPLETE, field="apn")
    return {camel: apn[key] for key, camel in _APN_FIELDS.items() if apn.get(key) not in (None, "")}


def _vpn(vpn: Mapping[str, Any]) -> dict[str, Any]:
    required = ("server", "user", "password", "key", "type")
    if any(not vpn.get(key) for key in required) or vpn["type"] not in VPN_TYPES:
        raise CommandInvalid(VPN_INCOMPLETE, field="vpn")
    return {key: vpn[key] for key in (*required, "group") if vpn.get(key)}
