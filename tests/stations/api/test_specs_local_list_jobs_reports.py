"""The API specs of station jobs, local lists and device reports: registered, their inputs
are the services' keyword arguments, and they accept good bodies and refuse bad ones."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile

from stations.api import registry
from stations.api.command_specs import local_list, reports, station_jobs
from stations.models import FirmwareFile
from stations.services.device.device_reports import ComponentVariable

MODULES = [station_jobs, local_list, reports]


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__.rsplit(".")[-1])
def test_every_input_field_is_a_keyword_of_its_service(module):
    registered = registry.specs()
    for spec in module.SPECS:
        assert registered[spec.name] is spec
        parameters = inspect.signature(spec.service).parameters
        keywords = {
            name for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        assert set(spec.input().fields) <= keywords - {"station_id", "caller"}


def test_send_local_list_takes_full_or_differential():
    good = local_list.SendLocalListInput(data={"update_type": "Differential"})
    default = local_list.SendLocalListInput(data={})
    bad = local_list.SendLocalListInput(data={"update_type": "Partial"})
    assert good.is_valid() and good.validated_data == {"update_type": "Differential"}
    assert default.is_valid() and default.validated_data == {"update_type": "Full"}
    assert not bad.is_valid() and set(bad.errors) == {"update_type"}


@pytest.mark.django_db
def test_update_firmware_needs_an_existing_firmware_and_sane_retries(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    firmware = FirmwareFile.objects.create(name="F", file=ContentFile(b"x", name="f.bin"))
    good = station_jobs.UpdateFirmwareInput(
        data={
            "firmware_id": firmware.pk,
            "retrieve_at": "2026-05-01T02:00:00Z",
            "install_at": "2026-05-01T03:00:00Z",
            "retries": 3,
            "retry_interval": 60,
        }
    )
    bad = station_jobs.UpdateFirmwareInput(
        data={"firmware_id": firmware.pk + 1, "retries": -1, "retry_interval": "soon"}
    )
    assert good.is_valid(), good.errors
    assert good.validated_data["install_at"] == datetime(2026, 5, 1, 3, tzinfo=UTC)
    assert not bad.is_valid()
    assert set(bad.errors) == {"firmware_id", "retries", "retry_interval"}
    assert bad.errors["firmware_id"] == [station_jobs.UNKNOWN_FIRMWARE]


def test_get_log_and_diagnostics_inputs():
    assert station_jobs.GetLogInput(data={"log_type": "SecurityLog"}).is_valid()
    assert not station_jobs.GetLogInput(data={"log_type": "Everything"}).is_valid()
    assert station_jobs.GetDiagnosticsInput(data={"start_time": "2026-01-01T00:00:00Z"}).is_valid()
    assert not station_jobs.GetDiagnosticsInput(data={"start_time": "yesterday"}).is_valid()


def test_get_report_turns_components_into_what_the_service_takes():
    good = reports.GetReportInput(
        data={
            "component_criteria": ["Problem"],
            "component_variables": [{"component": "EVSE", "evse_id": 1, "variable": "Power"}],
        }
    )
    assert good.is_valid(), good.errors
    assert good.validated_data["component_variables"] == [
        ComponentVariable(component="EVSE", evse_id=1, variable="Power")
    ]
    bad = reports.GetReportInput(
        data={"component_criteria": ["Broken"], "component_variables": [{"variable": "Power"}]}
    )
    assert not bad.is_valid()
    assert set(bad.errors) == {"component_criteria", "component_variables"}


def test_get_base_report_takes_a_known_base():
    assert reports.GetBaseReportInput(data={}).is_valid()
    assert not reports.GetBaseReportInput(data={"report_base": "Everything"}).is_valid()
