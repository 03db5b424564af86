"""Jobs a station carries out after answering, offered by the REST API: diagnostics and log
uploads and firmware updates (`stations.services.jobs.station_jobs`).

The command's result names the job its later status notifications land on.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from stations.api.registry import spec
from stations.models import FirmwareFile
from stations.services.jobs import station_jobs

UNKNOWN_FIRMWARE = "There is no firmware file with this id."


class GetDiagnosticsInput(serializers.Serializer):
    start_time = serializers.DateTimeField(required=False, help_text="Oldest entry wanted.")
    stop_time = serializers.DateTimeField(required=False, help_text="Latest entry wanted.")


class GetLogInput(serializers.Serializer):
    log_type = serializers.ChoiceField(choices=station_jobs.LOG_TYPES, default="DiagnosticsLog")
    oldest = serializers.DateTimeField(required=False, help_text="Oldest entry wanted.")
    latest = serializers.DateTimeField(required=False, help_text="Latest entry wanted.")


class UpdateFirmwareInput(serializers.Serializer):
    firmware_id = serializers.IntegerField(
        min_value=1, help_text="An uploaded firmware file; a signed one goes with its signature."
    )
    retrieve_at = serializers.DateTimeField(
        required=False, help_text="When to download it; now when left out."
    )
    install_at = serializers.DateTimeField(
        required=False, help_text="When to install it (OCPP 1.6: signed firmware only)."
    )
    retries = serializers.IntegerField(
        min_value=0, required=False, help_text="Download attempts after the first one."
    )
    retry_interval = serializers.IntegerField(
        min_value=0, required=False, help_text="Seconds between download attempts."
    )

    def validate_firmware_id(self, value: int) -> int:
        if not FirmwareFile.objects.filter(pk=value).exists():
            raise serializers.ValidationError(UNKNOWN_FIRMWARE)
        return value


def _job(outcome: station_jobs.JobResult) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "job_id": outcome.job.pk,
        "request_id": outcome.job.request_id,
        "file_name": outcome.job.file_name,
    }


SPECS = [
    spec("get-diagnostics", GetDiagnosticsInput, render=_job),
    spec("get-log", GetLogInput, render=_job),
    spec("update-firmware", UpdateFirmwareInput, render=_job),
]
