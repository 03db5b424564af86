"""Network connection profiles (OCPP 2.x use case B09): where and how a station connects.

SetNetworkProfile stores a connection profile in one of the station's configuration slots;
the station uses it once `OCPPCommCtrlr.NetworkConfigurationPriority` lists the slot (set with
SetVariables, then a reset: use case B10). The profile is checked here against the station's
OCPP version, which differ: 2.0.1 requires the OCPP version and knows OCPP12..OCPP20 and no
"Any" interface; 2.1 adds OCPP201 / OCPP21, the "Any" interface, and the identity and
basic-auth password to use with the new CSMS. A profile below the station's current security
profile is refused (A00.FR.005, B09.FR.04); a higher one, once accepted, becomes the station's
(`security_profiles.raised`).

A 1.6 station gets CommandInvalid before anything is sent. The bus's errors pass through
unchanged (see `remote`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from stations.exceptions import CommandInvalid
from stations.models import Station
from stations.services.commands import v2x
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import CommandResult, Message, _send
from stations.services.security import security_profiles

OCPP_VERSIONS = {
    "2.0.1": ("OCPP12", "OCPP15", "OCPP16", "OCPP20"),
    "2.1": ("OCPP12", "OCPP15", "OCPP16", "OCPP20", "OCPP201", "OCPP21"),
}
_REQUIRED = ("ocpp_csms_url", "security_profile", "ocpp_interface")
_SOAP_VERSIONS = frozenset({"OCPP12", "OCPP15", "OCPP16"})
INTERFACES = tuple(f"{kind}{n}" for kind in ("Wired", "Wireless") for n in range(4))
INTERFACES_V21 = ("Any",)
SECURITY_PROFILES = {"2.0.1": range(1, 4), "2.1": range(4)}
APN_AUTHENTICATIONS = ("PAP", "CHAP", "NONE", "AUTO")
VPN_TYPES = ("IKEv2", "IPSec", "L2TP", "PPTP")

BAD_SLOT = "The configuration slot is a whole number, 0 or more."
PROFILE_INCOMPLETE = (
    "A connection profile needs at least ocpp_csms_url, security_profile and ocpp_interface."
)
VERSION_REQUIRED = "An OCPP 2.0.1 station needs the profile's OCPP version (OCPP20 for 2.0.1)."
UNKNOWN_VERSION = "For this station the profile's OCPP version is one of: {versions}."
UNKNOWN_TRANSPORT = "The transport is JSON, or SOAP for OCPP 1.2 to 1.6."
UNKNOWN_INTERFACE = "The network interface is one of: {interfaces}."
BAD_SECURITY_PROFILE = "For this station the security profile is one of: {profiles}."
SECURITY_DOWNGRADE = (
    "The station uses security profile {current}: a profile may not lower it to {new}."
)
BAD_URL = "The CSMS URL is a ws:// (security profile 0 or 1) or wss:// (2 or 3) address."
BAD_TIMEOUT = "The message timeout is a number of seconds above 0."
APN_INCOMPLETE = "An APN needs its name (apn) and apn_authentication (PAP, CHAP, NONE or AUTO)."
VPN_INCOMPLETE = "A VPN needs server, user, password, key and type (IKEv2, IPSec, L2TP or PPTP)."


# --- services --------------------------------------------------------------------------------


def set_network_profile(
    *,
    station_id: int,
    configuration_slot: int,
    connection_data: dict[str, Any],
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Store a connection profile in slot `configuration_slot` of the station.

    `connection_data`: `ocpp_csms_url`, `security_profile`, `ocpp_interface`,
    `ocpp_transport` (default JSON), `message_timeout` (seconds, default 30), `ocpp_version`
    (required by 2.0.1), and optionally `apn` and `vpn` (dicts of their OCPP fields in
    snake_case) and, for 2.1, `identity` and `basic_auth_password`.
    """
    version = v2x.require_v2x(station_id, "SetNetworkProfile")
    current = Station.objects.values_list("security_profile", flat=True).get(pk=station_id)
    message = build_set_network_profile(
        version=version,
        configuration_slot=configuration_slot,
        connection_data=connection_data,
        current_security_profile=current,
    )
    command = _send(station_id, message, caller)
    if command.result_status == "Accepted":
        security_profiles.raised(
            station_id=station_id,
            profile=message.payload["connectionData"]["securityProfile"],
            caller=caller,
        )
    return CommandResult(command, command.result_status)


# --- payloads --------------------------------------------------------------------------------


def build_set_network_profile(
    *,
    version: str,
    configuration_slot: int,
    connection_data: Mapping[str, Any],
    current_security_profile: int = 0,
) -> Message:
    if configuration_slot < 0:
        raise CommandInvalid(BAD_SLOT, field="configuration_slot")
    data = connection_data
    if any(data.get(key) in (None, "") for key in _REQUIRED):
        raise CommandInvalid(PROFILE_INCOMPLETE, field="connection_data")
    profile: dict[str, Any] = {
        "ocppTransport": data.get("ocpp_transport") or "JSON",
        "ocppCsmsUrl": data["ocpp_csms_url"],
        "messageTimeout": data.get("message_timeout") or 30,
        "securityProfile": data["security_profile"],
        "ocppInterface": data["ocpp_interface"],
    }
    ocpp_version = data.get("ocpp_version") or ""
    if ocpp_version:
        if ocpp_version not in OCPP_VERSIONS[version]:
            versions = ", ".join(OCPP_VERSIONS[version])
            raise CommandInvalid(UNKNOWN_VERSION.format(versions=versions), field="ocpp_version")
        profile["ocppVersion"] = ocpp_version
    elif version != v2x.V21:
        raise CommandInvalid(VERSION_REQUIRED, field="ocpp_version")
    _check_transport(profile["ocppTransport"], ocpp_version)
    _check_interface(version, profile["ocppInterface"])
    _check_security(version, profile["securityProfile"], current_security_profile)
    _check_url(profile["ocppCsmsUrl"], profile["securityProfile"])
    if profile["messageTimeout"] <= 0:
        raise CommandInvalid(BAD_TIMEOUT, field="message_timeout")
    for key, camel in (("identity", "identity"), ("basic_auth_password", "basicAuthPassword")):
        if data.get(key):
            v2x.require_v21(version, f"A profile's {key.replace('_', ' ')}", field=key)
            profile[camel] = data[key]
    if data.get("apn"):
        profile["apn"] = _apn(data["apn"])
    if data.get("vpn"):
        profile["vpn"] = _vpn(data["vpn"])
    return Message(
        "SetNetworkProfile", {"configurationSlot": configuration_slot, "connectionData": profile}
    )


# --- helpers ---------------------------------------------------------------------------------


def _check_transport(transport: str, ocpp_version: str) -> None:
    # OCPP 2.x speaks JSON only; SOAP is for a 1.x back end.
    if transport == "JSON" or (transport == "SOAP" and ocpp_version in _SOAP_VERSIONS):
        return
    raise CommandInvalid(UNKNOWN_TRANSPORT, field="ocpp_transport")


def _check_interface(version: str, interface: str) -> None:
    interfaces = INTERFACES + (INTERFACES_V21 if version == v2x.V21 else ())
    if interface in INTERFACES_V21:
        v2x.require_v21(version, f"The network interface {interface}", field="ocpp_interface")
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
    fields = {
        "apn": "apn",
        "apn_user_name": "apnUserName",
        "apn_password": "apnPassword",
        "sim_pin": "simPin",
        "preferred_network": "preferredNetwork",
        "use_only_preferred_network": "useOnlyPreferredNetwork",
        "apn_authentication": "apnAuthentication",
    }
    return {camel: apn[key] for key, camel in fields.items() if apn.get(key) not in (None, "")}


def _vpn(vpn: Mapping[str, Any]) -> dict[str, Any]:
    required = ("server", "user", "password", "key", "type")
    if any(not vpn.get(key) for key in required) or vpn["type"] not in VPN_TYPES:
        raise CommandInvalid(VPN_INCOMPLETE, field="vpn")
    return {key: vpn[key] for key in (*required, "group") if vpn.get(key)}
