"""Device-model reports of 2.x stations offered by the REST API
(`stations.services.device.device_reports`). 1.6 stations are refused: read their configuration with
get-configuration.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from stations.api.registry import spec
from stations.services.device import device_reports
from stations.services.device.device_reports import ComponentVariable


class GetBaseReportInput(serializers.Serializer):
    report_base = serializers.ChoiceField(
        choices=device_reports.REPORT_BASES, default=device_reports.FULL_INVENTORY
    )


class ComponentVariableInput(serializers.Serializer):
    component = serializers.CharField(max_length=50)
    component_instance = serializers.CharField(max_length=50, required=False)
    evse_id = serializers.IntegerField(min_value=0, required=False)
    connector_id = serializers.IntegerField(min_value=0, required=False)
    variable = serializers.CharField(
        max_length=50, required=False, help_text="Left out: every variable of the component."
    )
    variable_instance = serializers.CharField(max_length=50, required=False)

    def validate(self, attrs: dict[str, Any]) -> ComponentVariable:
        return ComponentVariable(**attrs)


class GetReportInput(serializers.Serializer):
    component_criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=device_reports.COMPONENT_CRITERIA),
        required=False,
        allow_empty=False,
        max_length=4,
        help_text="Report the components that are Active, Available, Enabled or in a Problem.",
    )
    component_variables = ComponentVariableInput(
        many=True, required=False, allow_empty=False, help_text="Report on these components."
    )


def _report(outcome: device_reports.ReportResult) -> dict[str, Any]:
    return {"status": outcome.status, "request_id": outcome.request_id}


SPECS = [
    spec("get-base-report", GetBaseReportInput, render=_report),
    spec("get-report", GetReportInput, render=_report),
]
