"""Local authorization lists without a socket: the SendLocalList each version gets, what a
send would carry (against an offline station), and putting tokens on and off a list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.audit.models import AuditEvent
from stations.exceptions import CommandInvalid, StationNotConnected
from stations.models import Command, LocalAuthList, LocalListEntry
from stations.ocpp.v201 import device_convert
from stations.services.commands import adapters
from stations.services.commands.bus import Caller
from stations.services.commands.requests import ConfigurationValue
from stations.services.device import device_model
from stations.services.local_lists import local_list
from stations.services.local_lists import requests as local_list_requests
from stations.services.local_lists.requests import Item, SendLocalList
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

EXPIRES = datetime(2027, 1, 1, tzinfo=UTC)
INFO = {
    "type": "ISO14443",
    "status": "Accepted",
    "expires_at": "2027-01-01T00:00:00.000Z",
    "group": "FLEET",
    "group_type": "Central",
}


def offline_send(station, **kwargs) -> Command:
    with pytest.raises(StationNotConnected) as offline:
        local_list.send_local_list(station_id=station.pk, **kwargs)
    return offline.value.command


def build_send_local_list(*, version, update_type, list_version, items):
    """The SendLocalList the version's adapter builds."""
    request = SendLocalList(update_type=update_type, list_version=list_version, items=tuple(items))
    return adapters.build(version=version, request=request)


# --- payloads --------------------------------------------------------------------------------


def test_a_16_entry_carries_id_tag_info_and_a_removal_only_the_id_tag():
    message = build_send_local_list(
        version="1.6",
        update_type="Differential",
        list_version=4,
        items=[Item("TAG1", "ISO14443", INFO), Item("TAG2", "ISO14443", None)],
    )
    assert message.action == "SendLocalList"
    assert message.payload == {
        "listVersion": 4,
        "updateType": "Differential",
        "localAuthorizationList": [
            {
                "idTag": "TAG1",
                "idTagInfo": {
                    "status": "Accepted",
                    "expiryDate": "2027-01-01T00:00:00.000Z",
                    "parentIdTag": "FLEET",
                },
            },
            {"idTag": "TAG2"},
        ],
    }


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_a_2x_entry_carries_id_token_info_and_a_removal_only_the_id_token(version):
    message = build_send_local_list(
        version=version,
        update_type="Differential",
        list_version=4,
        items=[Item("TAG1", "ISO14443", INFO), Item("TAG2", "KeyCode", None)],
    )
    assert message.payload == {
        "versionNumber": 4,
        "updateType": "Differential",
        "localAuthorizationList": [
            {
                "idToken": {"idToken": "TAG1", "type": "ISO14443"},
                "idTokenInfo": {
                    "status": "Accepted",
                    "cacheExpiryDateTime": "2027-01-01T00:00:00.000Z",
                    "groupIdToken": {"idToken": "FLEET", "type": "Central"},
                },
            },
            {"idToken": {"idToken": "TAG2", "type": "KeyCode"}},
        ],
    }


@pytest.mark.parametrize(
    ("version", "written"), [("1.6", "Invalid"), ("2.0.1", "NotAtThisLocation")]
)
def test_a_token_not_accepted_at_the_site_is_written_in_the_versions_words(version, written):
    info = {**INFO, "status": "NotAtThisLocation"}
    message = build_send_local_list(
        version=version,
        update_type="Full",
        list_version=1,
        items=[Item("TAG1", "ISO14443", info)],
    )
    [entry] = message.payload["localAuthorizationList"]
    assert entry.get("idTagInfo", entry.get("idTokenInfo"))["status"] == written


def test_an_empty_full_list_clears_the_station_in_each_versions_way():
    v16 = build_send_local_list(version="1.6", update_type="Full", list_version=1, items=[])
    v2x = build_send_local_list(version="2.0.1", update_type="Full", list_version=1, items=[])
    assert v16.payload["localAuthorizationList"] == []
    # 2.x forbids an empty array.
    assert v2x.payload == {"versionNumber": 1, "updateType": "Full"}


def test_a_16_group_token_longer_than_an_id_tag_is_left_out():
    info = {**INFO, "group": "G" * 21}
    message = build_send_local_list(
        version="1.6", update_type="Full", list_version=1, items=[Item("T", "ISO14443", info)]
    )
    assert "parentIdTag" not in message.payload["localAuthorizationList"][0]["idTagInfo"]


@pytest.mark.parametrize(("version", "limit"), [("1.6", 20), ("2.0.1", 36)])
def test_a_token_too_long_for_the_version_is_refused(version, limit):
    with pytest.raises(CommandInvalid) as invalid:
        build_send_local_list(
            version=version,
            update_type="Full",
            list_version=1,
            items=[Item("T" * (limit + 1), "ISO14443", INFO)],
        )
    assert invalid.value.message == local_list_requests.TOO_LONG_FOR_LIST.format(
        token="T" * (limit + 1), version=version, limit=limit
    )


def test_an_unknown_update_type_is_refused():
    with pytest.raises(CommandInvalid) as invalid:
        build_send_local_list(version="1.6", update_type="Some", list_version=1, items=[])
    assert invalid.value.message == local_list_requests.UNKNOWN_UPDATE_TYPE


def test_token_info_says_expired_once_the_expiry_passed():
    token = IdTokenFactory(expires_at=EXPIRES, group_id_token="FLEET", type="KeyCode")
    before = local_list.token_info(
        token, groups={"FLEET": "ISO14443"}, now=EXPIRES.replace(year=2026)
    )
    after = local_list.token_info(token, groups={}, now=EXPIRES + timedelta(seconds=1))
    assert before == {
        "type": "KeyCode",
        "status": "Accepted",
        "expires_at": "2027-01-01T00:00:00.000Z",
        "group": "FLEET",
        "group_type": "ISO14443",
    }
    assert (after["status"], after["group_type"]) == ("Expired", "Central")


# --- putting tokens on and off ---------------------------------------------------------------


def test_adding_tokens_is_audited_and_idempotent():
    station = StationFactory(ocpp_version="1.6")
    IdTokenFactory(id_token="A")
    IdTokenFactory(id_token="B")
    first = local_list.add_tokens(
        station_id=station.pk, id_tokens=["A", "B"], caller=Caller(label="ops")
    )
    again = local_list.add_tokens(station_id=station.pk, id_tokens=["A"])
    assert (first.changed, first.unchanged) == (("A", "B"), ())
    assert (again.changed, again.unchanged) == ((), ("A",))
    entries = LocalListEntry.objects.filter(local_list__station=station)
    assert sorted(entries.values_list("id_tag", "wanted", "sent_info")) == [
        ("A", True, None),
        ("B", True, None),
    ]
    event = AuditEvent.objects.get(action="stations.local_list.add")
    assert (event.actor_label, event.target_id, event.data) == (
        "ops",
        str(station.pk),
        {"id_tokens": ["A", "B"]},
    )


def test_unknown_tokens_are_named_and_nothing_is_added():
    station = StationFactory()
    IdTokenFactory(id_token="A")
    with pytest.raises(CommandInvalid) as invalid:
        local_list.add_tokens(station_id=station.pk, id_tokens=["A", "NOPE"])
    assert invalid.value.message == local_list.UNKNOWN_TOKENS.format(tokens="NOPE")
    assert not LocalListEntry.objects.exists()


def test_a_token_too_long_for_a_16_list_is_refused_when_added():
    station = StationFactory(ocpp_version="1.6")
    IdTokenFactory(id_token="X" * 21)
    with pytest.raises(CommandInvalid) as invalid:
        local_list.add_tokens(station_id=station.pk, id_tokens=["X" * 21])
    assert invalid.value.message == local_list_requests.TOO_LONG_FOR_LIST.format(
        token="X" * 21, version="1.6", limit=20
    )


def test_no_tokens_at_all_is_refused():
    station = StationFactory()
    for service in (local_list.add_tokens, local_list.remove_tokens):
        with pytest.raises(CommandInvalid) as invalid:
            service(station_id=station.pk, id_tokens=[])
        assert invalid.value.message == local_list.NO_TOKENS


def test_a_token_never_sent_leaves_at_once_and_a_sent_one_with_the_next_send():
    station = StationFactory()
    IdTokenFactory(id_token="NEW")
    sent = IdTokenFactory(id_token="SENT")
    local_list.add_tokens(station_id=station.pk, id_tokens=["NEW", "SENT"])
    LocalListEntry.objects.filter(id_token=sent).update(sent_info=INFO)
    change = local_list.remove_tokens(
        station_id=station.pk, id_tokens=["NEW", "SENT", "ABSENT"], caller=Caller(label="ops")
    )
    assert sorted(change.changed) == ["NEW", "SENT"]
    assert change.unchanged == ("ABSENT",)
    assert list(LocalListEntry.objects.values_list("id_tag", "wanted")) == [("SENT", False)]
    assert AuditEvent.objects.filter(action="stations.local_list.remove").count() == 1


# --- what a send carries, against an offline station -----------------------------------------


def test_a_first_send_is_full_even_when_a_difference_is_asked_for():
    station = StationFactory(ocpp_version="2.0.1")
    IdTokenFactory(id_token="A", type=IdToken.Type.KEY_CODE)
    local_list.add_tokens(station_id=station.pk, id_tokens=["A"])
    command = offline_send(station, update_type="Differential")
    assert command.action == "SendLocalList"
    assert command.payload == {
        "versionNumber": 1,
        "updateType": "Full",
        "localAuthorizationList": [
            {
                "idToken": {"idToken": "A", "type": "KeyCode"},
                "idTokenInfo": {"status": "Accepted"},
            }
        ],
    }
    stored = LocalAuthList.objects.get(station=station)
    assert (stored.version, stored.last_status, stored.last_command) == (0, "", command)
    assert stored.sending_since is None
    assert LocalListEntry.objects.get().sent_info is None


def test_a_differential_send_carries_only_what_changed_since_the_accepted_list():
    station = StationFactory(ocpp_version="1.6")
    kept = IdTokenFactory(id_token="KEPT")
    blocked = IdTokenFactory(id_token="BLOCKED")
    IdTokenFactory(id_token="GONE")
    IdTokenFactory(id_token="NEW")
    local_list.add_tokens(station_id=station.pk, id_tokens=["KEPT", "BLOCKED", "GONE"])
    now = timezone.now()
    for token in (kept, blocked):
        LocalListEntry.objects.filter(id_tag=token.id_token).update(
            sent_info=local_list.token_info(token, groups={}, now=now)
        )
    LocalListEntry.objects.filter(id_tag="GONE").update(sent_info=INFO)
    LocalAuthList.objects.filter(station=station).update(version=3)
    IdToken.objects.filter(pk=blocked.pk).update(status=IdToken.Status.BLOCKED)
    local_list.remove_tokens(station_id=station.pk, id_tokens=["GONE"])
    local_list.add_tokens(station_id=station.pk, id_tokens=["NEW"])
    command = offline_send(station, update_type="Differential")
    assert command.payload == {
        "listVersion": 4,
        "updateType": "Differential",
        "localAuthorizationList": [
            {"idTag": "GONE"},
            {"idTag": "BLOCKED", "idTagInfo": {"status": "Blocked"}},
            {"idTag": "NEW", "idTagInfo": {"status": "Accepted"}},
        ],
    }


def test_a_deleted_token_leaves_the_station_with_the_next_differential():
    station = StationFactory(ocpp_version="1.6")
    token = IdTokenFactory(id_token="LOST")
    local_list.add_tokens(station_id=station.pk, id_tokens=["LOST"])
    LocalListEntry.objects.update(sent_info=INFO)
    LocalAuthList.objects.update(version=1)
    token.delete()
    command = offline_send(station, update_type="Differential")
    assert command.payload["localAuthorizationList"] == [{"idTag": "LOST"}]
    full = offline_send(station, update_type="Full")
    assert full.payload["localAuthorizationList"] == []


def test_a_second_send_while_one_is_out_is_refused_and_a_stale_one_is_ignored(settings):
    station = StationFactory()
    LocalAuthList.objects.create(station=station, sending_since=timezone.now())
    with pytest.raises(CommandInvalid) as invalid:
        local_list.send_local_list(station_id=station.pk)
    assert invalid.value.message == local_list.SEND_IN_PROGRESS
    assert not Command.objects.exists()
    LocalAuthList.objects.update(sending_since=timezone.now() - timedelta(hours=1))
    assert offline_send(station).action == "SendLocalList"


def test_an_unknown_update_type_sends_nothing():
    station = StationFactory()
    with pytest.raises(CommandInvalid):
        local_list.send_local_list(station_id=station.pk, update_type="Partial")
    assert not Command.objects.exists()


def test_the_version_of_an_offline_station_is_not_known():
    station = StationFactory(ocpp_version="2.1")
    with pytest.raises(StationNotConnected) as offline:
        local_list.get_local_list_version(station_id=station.pk)
    assert offline.value.command.action == "GetLocalListVersion"
    assert offline.value.command.payload == {}


# --- the station's limits --------------------------------------------------------------------


def test_a_16_list_longer_than_one_message_starts_with_a_full_part():
    station = StationFactory(ocpp_version="1.6")
    for value in ("A", "B", "C"):
        IdTokenFactory(id_token=value)
    local_list.add_tokens(station_id=station.pk, id_tokens=["A", "B", "C"])
    device_model.store_v16_configuration(
        station_id=station.pk, keys=[ConfigurationValue("SendLocalListMaxLength", "2")]
    )
    command = offline_send(station)
    assert command.payload["updateType"] == "Full"
    assert [entry["idTag"] for entry in command.payload["localAuthorizationList"]] == ["A", "B"]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_a_list_above_the_stations_capacity_is_refused_before_sending(version):
    station = StationFactory(ocpp_version=version)
    for value in ("A", "B"):
        IdTokenFactory(id_token=value)
    local_list.add_tokens(station_id=station.pk, id_tokens=["A", "B"])
    if version == "1.6":
        device_model.store_v16_configuration(
            station_id=station.pk, keys=[ConfigurationValue("LocalAuthListMaxLength", "1")]
        )
    else:
        device_model.store_report(
            station_id=station.pk,
            request_id=1,
            seq_no=0,
            tbc=False,
            generated_at=EXPIRES,
            report_data=device_convert.reported_variables(
                [
                    {
                        "component": {"name": "LocalAuthListCtrlr"},
                        "variable": {"name": "Entries"},
                        "variable_attribute": [{"type": "Actual", "value": "0"}],
                        "variable_characteristics": {
                            "data_type": "integer",
                            "max_limit": 1,
                            "supports_monitoring": False,
                        },
                    }
                ]
            ),
        )
    with pytest.raises(CommandInvalid) as invalid:
        local_list.send_local_list(station_id=station.pk)
    assert invalid.value.message == local_list.LIST_TOO_LONG.format(count=2, capacity=1)
    assert not Command.objects.exists()
    assert LocalAuthList.objects.get(station=station).sending_since is None
