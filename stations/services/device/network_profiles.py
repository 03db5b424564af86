"""Network connection profiles (OCPP 2.x use case B09): where and how a station connects.

SetNetworkProfile stores a connection profile in one of the station's configuration slots;
the station uses it once `OCPPCommCtrlr.NetworkConfigurationPriority` lists the slot (set with
SetVariables, then a reset: use case B10). The station's adapter checks the profile against
its OCPP version, as they differ: 2.0.1 requires the OCPP version and knows OCPP12..OCPP20 and no
"Any" interface; 2.1 adds OCPP201 / OCPP21, the "Any" interface, and the identity and
basic-auth password to use with the new CSMS. A profile below the station's current security
profile is refused (A00.FR.005, B09.FR.04); a higher one, once accepted, becomes the station's
(`security_profiles.raised`).

A 1.6 station gets CommandInvalid before anything is sent. The bus's errors pass through
unchanged (see `remote`).
"""

from __future__ import annotations

from typing import Any

from stations.models import Station
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import CommandResult
from stations.services.device.requests import ConnectionProfile, SetNetworkProfile
from stations.services.security import security_profiles

# Every OCPP version a connection profile may name (the API's choices); which of them a
# station knows depends on its own version, which its adapter checks.
PROFILE_OCPP_VERSIONS = ("OCPP12", "OCPP15", "OCPP16", "OCPP20", "OCPP201", "OCPP21")
INTERFACES = tuple(f"{kind}{n}" for kind in ("Wired", "Wireless") for n in range(4))
INTERFACES_V21 = ("Any",)
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
    current = Station.objects.values_list("security_profile", flat=True).get(pk=station_id)
    request = SetNetworkProfile(
        configuration_slot=configuration_slot,
        connection=ConnectionProfile.of(connection_data),
        current_security_profile=current,
    )
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    if command.result_status == "Accepted" and request.connection.security_profile is not None:
        security_profiles.raised(
            station_id=station_id, profile=request.connection.security_profile, caller=caller
        )
    return CommandResult(command, command.result_status)
