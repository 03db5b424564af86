"""The OCPP 2.1-only commands without a socket: the payloads built, other versions refused,
what an offline 2.1 station would have been sent, and what the station's reports change.
"""

from __future__ import annotations

import pytest

from backoffice.audit.models import AuditEvent
from stations.exceptions import CommandInvalid
from stations.models import (
    Command,
    DefaultTariff,
    DerControl,
    DerControlReport,
    PeriodicEventStream,
)
from stations.ocpp.v21.outbound import adapter as v21_adapter
from stations.ocpp.v21.outbound import der_control as der_builders
from stations.ocpp.v21.outbound import energy as v21_energy
from stations.services.charging import energy_requests, energy_transfer, station_tariffs
from stations.services.charging import requests as charging_requests
from stations.services.commands import adapters
from stations.services.commands.bus import Caller
from stations.services.device import event_streams
from stations.services.device.requests import AdjustPeriodicEventStream
from stations.services.device.types import StreamParams
from stations.services.smart_charging import der_control
from stations.services.smart_charging.requests import (
    ClearDerControl,
    GetDerControl,
    SetDerControl,
)
from tests.commands import sent
from tests.factories.stations import StationFactory
from tests.stations.v21_cases import CASES, CURVE, TARIFF, ids

pytestmark = pytest.mark.django_db


# --- versions --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "2.0.1", ""])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_station_not_speaking_21_is_refused_before_anything_is_sent(version, case):
    station = StationFactory(ocpp_version=version)
    with pytest.raises(CommandInvalid) as refused:
        case.call(station)
    assert refused.value.message == v21_adapter.ONLY_IN_21.format(
        title=case.action, version=version or "1.6"
    )
    assert not Command.objects.exists()
    assert not DerControlReport.objects.exists()


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_an_offline_21_station_gets_each_command_validated_and_recorded(v21, case):
    command = sent(case.call, station=v21, caller=Caller(label="test"))
    assert command.action == case.action
    assert command.actor_label == "test"
    if case.payload is not None:
        assert command.payload == case.payload


# --- payloads --------------------------------------------------------------------------------


def test_a_dynamic_schedule_update_needs_a_value():
    with pytest.raises(CommandInvalid) as empty:
        adapters.build(
            version="2.1",
            request=energy_requests.UpdateDynamicSchedule(
                charging_profile_id=1, schedule_update={}
            ),
        )
    assert empty.value.message == v21_energy.EMPTY_SCHEDULE_UPDATE


def test_allowed_energy_transfer_needs_a_mode(v21):
    with pytest.raises(CommandInvalid) as empty:
        energy_transfer.notify_allowed_energy_transfer(
            station_id=v21.pk, transaction_id="TX", allowed_energy_transfer=[]
        )
    assert empty.value.message == energy_transfer.NO_ENERGY_TRANSFER_MODE
    assert not Command.objects.exists()


def build_set(**fields):
    # The builder alone: the settings here are placeholders, not schema-valid objects.
    return der_builders.set_der_control(SetDerControl(**fields), "2.1")


@pytest.mark.parametrize(
    ("control_type", "field"),
    [
        ("VoltWatt", "curve"),
        ("HFMustTrip", "curve"),
        ("FreqDroop", "freqDroop"),
        ("FixedPFAbsorb", "fixedPFAbsorb"),
        ("Gradients", "gradient"),
        ("LimitMaxDischarge", "limitMaxDischarge"),
    ],
)
def test_each_der_control_type_sends_its_setting_in_its_own_field(control_type, field):
    setting = {"priority": 0}
    message = build_set(control_id="c", control_type=control_type, setting=setting, is_default=True)
    assert message.payload == {
        "isDefault": True,
        "controlId": "c",
        "controlType": control_type,
        field: setting,
    }


def test_a_scheduled_der_control_needs_its_window_and_a_default_has_none():
    window = {"startTime": "2026-01-05T10:00:00Z", "duration": 3600}
    scheduled = build_set(
        control_id="s", control_type="VoltWatt", setting={**CURVE, **window}, is_default=False
    )
    assert scheduled.payload["curve"]["duration"] == 3600
    with pytest.raises(CommandInvalid) as no_window:
        build_set(control_id="s", control_type="VoltWatt", setting=CURVE, is_default=False)
    assert no_window.value.message == der_builders.SCHEDULED_NEEDS_WINDOW
    with pytest.raises(CommandInvalid) as default_window:
        build_set(
            control_id="d", control_type="VoltWatt", setting={**CURVE, **window}, is_default=True
        )
    assert default_window.value.message == der_builders.DEFAULT_HAS_NO_WINDOW
    with pytest.raises(CommandInvalid) as unschedulable:
        build_set(
            control_id="e", control_type="Gradients", setting={"priority": 0}, is_default=False
        )
    assert unschedulable.value.message == der_builders.NOT_SCHEDULABLE.format(
        control_type="Gradients"
    )


def test_an_unknown_der_control_type_is_refused():
    with pytest.raises(CommandInvalid) as unknown:
        adapters.build(version="2.1", request=GetDerControl(request_id=1, control_type="Warp"))
    assert unknown.value.message == der_builders.UNKNOWN_CONTROL_TYPE.format(control_type="Warp")


def test_der_filters_are_sent_only_when_given():
    get = adapters.build(version="2.1", request=GetDerControl(request_id=5))
    clear = adapters.build(version="2.1", request=ClearDerControl(is_default=False, control_id="x"))
    assert get.payload == {"requestId": 5}
    assert clear.payload == {
        "isDefault": False,
        "controlId": "x",
    }


def test_clear_tariffs_without_filters_clears_everything():
    def payload(request: charging_requests.ClearTariffs) -> dict:
        return adapters.build(version="2.1", request=request).payload

    assert payload(charging_requests.ClearTariffs()) == {}
    assert payload(charging_requests.ClearTariffs(evse_id=2)) == {"evseId": 2}


def adjust_stream(*, stream_id, **params):
    request = AdjustPeriodicEventStream(stream_id=stream_id, params=StreamParams(**params))
    return adapters.build(version="2.1", request=request)


def test_a_stream_adjustment_needs_new_parameters():
    with pytest.raises(CommandInvalid) as empty:
        adjust_stream(stream_id=4)
    assert empty.value.message == event_streams.NO_STREAM_PARAMS
    built = adjust_stream(stream_id=4, values=30)
    assert built.payload == {"id": 4, "params": {"values": 30}}


# --- domain rules before sending ---------------------------------------------------------------


def test_a_tariff_id_sent_before_with_other_prices_is_refused(v21):
    DefaultTariff.objects.create(
        station=v21, evse_id=0, tariff_id=TARIFF["tariffId"], currency="EUR", tariff=TARIFF
    )
    changed = {**TARIFF, "energy": {"prices": [{"priceKwh": 0.99}]}}
    with pytest.raises(CommandInvalid) as reused:
        station_tariffs.set_default_tariff(station_id=v21.pk, tariff=changed)
    assert reused.value.message == station_tariffs.TARIFF_ID_REUSED.format(tariff_id="D-2026-01")
    assert not Command.objects.exists()
    # The same tariff again is fine (the station answers DuplicateTariffId if it has it).
    sent(station_tariffs.set_default_tariff, station_id=v21.pk, tariff=TARIFF, evse_id=1)


def test_a_tariff_with_a_bad_valid_from_is_refused(v21):
    with pytest.raises(CommandInvalid) as bad:
        station_tariffs.set_default_tariff(
            station_id=v21.pk, tariff={**TARIFF, "validFrom": "next monday"}
        )
    assert bad.value.message == station_tariffs.BAD_VALID_FROM


def test_adjusting_a_stream_the_back_office_does_not_know_open_is_refused(v21):
    with pytest.raises(CommandInvalid) as unknown:
        event_streams.adjust_periodic_event_stream(station_id=v21.pk, stream_id=8, values=5)
    assert unknown.value.message == event_streams.UNKNOWN_STREAM.format(stream_id=8)
    assert not Command.objects.exists()


def test_an_offline_der_report_request_keeps_its_command(v21):
    command = sent(der_control.get_der_control, station_id=v21.pk)
    report = DerControlReport.objects.get(station=v21)
    assert command.payload == {"requestId": report.request_id}
    assert report.command == command
    assert report.complete  # nothing will come


# --- what the station reports ------------------------------------------------------------------


def test_report_pages_are_collected_and_mirror_the_superseded_flags(v21):
    DerControl.objects.create(
        station=v21,
        control_id="lmd-1",
        control_type="LimitMaxDischarge",
        is_default=True,
        setting={"priority": 1},
    )
    page = {
        "id": "lmd-1",
        "is_default": True,
        "is_superseded": True,
        "limit_max_discharge": {"priority": 1},
    }
    first = der_control.record_report(
        station_id=v21.pk, request_id=55, tbc=True, controls={"limit_max_discharge": [page]}
    )
    assert (first.pages, first.complete) == (1, False)
    report = der_control.record_report(
        station_id=v21.pk,
        request_id=55,
        tbc=False,
        controls={"gradient": [{"id": "g-1", "gradient": {"priority": 0}}]},
    )
    assert (report.pages, report.complete) == (2, True)
    assert [c["kind"] for c in report.controls] == ["limit_max_discharge", "gradient"]
    assert report.command is None  # a report nobody here asked for is still kept
    assert DerControl.objects.get(control_id="lmd-1").superseded


def test_a_started_control_is_active_and_supersedes_others(v21):
    for control_id in ("new", "old"):
        DerControl.objects.create(
            station=v21,
            control_id=control_id,
            control_type="FreqDroop",
            is_default=False,
            setting={"priority": 1},
        )
    DerControl.objects.filter(control_id="old").update(active=True)
    der_control.record_start_stop(
        station_id=v21.pk, control_id="new", started=True, superseded_ids=["old"]
    )
    rows = {c.control_id: (c.active, c.superseded) for c in DerControl.objects.all()}
    assert rows == {"new": (True, False), "old": (False, True)}


def test_streams_open_close_and_reopen(v21):
    event_streams.opened(
        station_id=v21.pk, stream_id=4, variable_monitoring_id=12, params=StreamParams(interval=60)
    )
    event_streams.closed(station_id=v21.pk, stream_id=4)
    assert not PeriodicEventStream.objects.get(stream_id=4).is_open
    event_streams.opened(
        station_id=v21.pk, stream_id=4, variable_monitoring_id=13, params=StreamParams(values=10)
    )
    stream = PeriodicEventStream.objects.get(stream_id=4)
    assert (stream.is_open, stream.variable_monitoring_id, stream.interval, stream.values) == (
        True,
        13,
        None,
        10,
    )
    assert not AuditEvent.objects.filter(action__startswith="stations.event_stream").exists()
