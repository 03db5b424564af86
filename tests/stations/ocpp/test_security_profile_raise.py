"""Raising a station's security profile over OCPP (2.x SetNetworkProfile, the 1.6
`SecurityProfile` key) with a real charger: stored once the station accepts; lowering it that
way is refused before anything is sent."""

from __future__ import annotations

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call_result as result201

from backoffice.audit.models import AuditEvent
from stations.exceptions import CommandInvalid
from stations.models import Command, Station
from stations.services.commands import remote
from stations.services.device import network_profiles
from stations.services.security import security_profiles
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted, in_thread

PROFILE_2 = {
    "ocpp_csms_url": "wss://csms.example/ocpp",
    "security_profile": 2,
    "ocpp_interface": "Wired0",
    "ocpp_version": "OCPP20",
}


class Charger16(Client16):
    accept = True

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key, value):
        return result16.ChangeConfiguration(status="Accepted" if self.accept else "Rejected")


class Charger201(Client201):
    accept = True

    @on("SetNetworkProfile")
    async def on_set_network_profile(self, configuration_slot, connection_data, **kw):
        return result201.SetNetworkProfile(status="Accepted" if self.accept else "Rejected")


def profile(station: Station) -> int:
    station.refresh_from_db()
    return station.security_profile


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["SecurityProfile", "securityprofile"])
async def test_a_16_station_accepting_a_higher_profile_gets_it(server, transactional_db, key):
    station = StationFactory(ocpp_version="1.6")
    async with booted(server, station.identity, client_class=Charger16):
        result = await in_thread(
            remote.change_configuration, station_id=station.pk, key=key, value="2"
        )
    assert result.status == "Accepted"
    assert profile(station) == Station.SecurityProfile.TLS_BASIC
    assert AuditEvent.objects.get(action="stations.security_profile_raised").data == {
        "from": 1,
        "to": 2,
    }


@pytest.mark.asyncio
async def test_a_16_station_refusing_keeps_its_profile(server, transactional_db):
    station = StationFactory(ocpp_version="1.6")
    refusing = type("Refusing16", (Charger16,), {"accept": False})
    async with booted(server, station.identity, client_class=refusing):
        result = await in_thread(
            remote.change_configuration, station_id=station.pk, key="SecurityProfile", value="2"
        )
    assert result.status == "Rejected"
    assert profile(station) == Station.SecurityProfile.BASIC


@pytest.mark.asyncio
async def test_a_201_station_accepting_a_higher_network_profile_gets_it(server, transactional_db):
    station = StationFactory(ocpp_version="2.0.1")
    async with booted(server, station.identity, subprotocol="ocpp2.0.1", client_class=Charger201):
        result = await in_thread(
            network_profiles.set_network_profile,
            station_id=station.pk,
            configuration_slot=1,
            connection_data={**PROFILE_2, "security_profile": 3},
        )
    assert result.status == "Accepted"
    assert profile(station) == Station.SecurityProfile.TLS_CLIENT_CERT


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["SecurityProfile", "SECURITYPROFILE"])
def test_lowering_a_16_profile_by_command_is_refused_before_sending(key):
    station = StationFactory(ocpp_version="1.6", security_profile=3)
    with pytest.raises(CommandInvalid) as refused:
        remote.change_configuration(station_id=station.pk, key=key, value="2")
    assert refused.value.message == security_profiles.LOWERING.format(current=3, new=2)
    assert not Command.objects.exists()
    assert profile(station) == 3


@pytest.mark.django_db
def test_lowering_by_network_profile_is_refused_before_sending():
    station = StationFactory(ocpp_version="2.0.1", security_profile=3)
    with pytest.raises(CommandInvalid) as refused:
        network_profiles.set_network_profile(
            station_id=station.pk, configuration_slot=1, connection_data=PROFILE_2
        )
    assert refused.value.message == network_profiles.SECURITY_DOWNGRADE.format(current=3, new=2)
    assert not Command.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["high", "4", "-1", ""])
def test_a_security_profile_value_that_is_no_profile_is_refused(value):
    station = StationFactory(ocpp_version="1.6")
    with pytest.raises(CommandInvalid, match="0, 1, 2 or 3"):
        remote.change_configuration(station_id=station.pk, key="SecurityProfile", value=value)
    assert not Command.objects.exists()


@pytest.mark.django_db
def test_a_raise_never_lowers_what_is_stored():
    station = StationFactory(security_profile=3)
    assert security_profiles.raised(station_id=station.pk, profile=2) is False
    assert profile(station) == 3
