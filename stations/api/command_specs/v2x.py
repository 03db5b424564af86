"""The OCPP 2.x-only commands offered by the REST API: monitoring, display messages, customer
information, transaction status and network profiles. 1.6 stations are refused by the
services (CommandInvalid) before anything is sent.

Components are named as in the device-model reports: `component`, `component_instance`,
`evse_id`, `connector_id`, `variable`, `variable_instance`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rest_framework import serializers

from stations.api.registry import spec
from stations.services.device import (
    customer_information,
    display_messages,
    monitoring,
    monitoring_reports,
    network_profiles,
)


class ComponentInput(serializers.Serializer):
    component = serializers.CharField(max_length=50)
    component_instance = serializers.CharField(max_length=50, required=False)
    evse_id = serializers.IntegerField(min_value=0, required=False)
    connector_id = serializers.IntegerField(min_value=0, required=False)


class ComponentVariableInput(ComponentInput):
    variable = serializers.CharField(max_length=50)
    variable_instance = serializers.CharField(max_length=50, required=False)


class PeriodicEventStreamInput(serializers.Serializer):
    interval = serializers.IntegerField(min_value=0, required=False)
    values = serializers.IntegerField(min_value=0, required=False)


class MonitorInput(ComponentVariableInput):
    type = serializers.ChoiceField(choices=monitoring.MONITOR_TYPES + monitoring.MONITOR_TYPES_V21)
    value = serializers.DecimalField(max_digits=20, decimal_places=6)
    severity = serializers.IntegerField(min_value=0, max_value=monitoring.SEVERITY_MAX)
    transaction = serializers.BooleanField(required=False)
    monitor_id = serializers.IntegerField(
        min_value=0, required=False, help_text="Only to replace the station's monitor of this id."
    )
    periodic_event_stream = PeriodicEventStreamInput(required=False, help_text="OCPP 2.1 only.")


class SetVariableMonitoringInput(serializers.Serializer):
    monitors = MonitorInput(many=True, allow_empty=False)


class ClearVariableMonitoringInput(serializers.Serializer):
    monitor_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=0), allow_empty=False
    )


class SetMonitoringBaseInput(serializers.Serializer):
    monitoring_base = serializers.ChoiceField(choices=monitoring.MONITORING_BASES)


class SetMonitoringLevelInput(serializers.Serializer):
    severity = serializers.IntegerField(min_value=0, max_value=monitoring.SEVERITY_MAX)


class ReportComponentInput(ComponentInput):
    variable = serializers.CharField(
        max_length=50, required=False, help_text="Left out: every variable of the component."
    )
    variable_instance = serializers.CharField(max_length=50, required=False)


class GetMonitoringReportInput(serializers.Serializer):
    criteria = serializers.ListField(
        child=serializers.ChoiceField(choices=monitoring_reports.MONITORING_CRITERIA),
        required=False,
        allow_empty=False,
        max_length=3,
    )
    component_variables = ReportComponentInput(many=True, required=False, allow_empty=False)


MESSAGE_FORMATS = display_messages.FORMATS + display_messages.FORMATS_V21
MESSAGE_STATES = display_messages.STATES + display_messages.STATES_V21


class MessageContentInput(serializers.Serializer):
    content = serializers.CharField(max_length=1024)
    format = serializers.ChoiceField(choices=MESSAGE_FORMATS, default="UTF8")
    language = serializers.CharField(max_length=8, required=False)


class SetDisplayMessageInput(serializers.Serializer):
    content = serializers.CharField(max_length=1024, help_text="At most 512 characters in 2.0.1.")
    priority = serializers.ChoiceField(choices=display_messages.PRIORITIES, default="NormalCycle")
    message_format = serializers.ChoiceField(choices=MESSAGE_FORMATS, default="UTF8")
    language = serializers.CharField(max_length=8, required=False)
    message_id = serializers.IntegerField(
        min_value=0, required=False, help_text="Replace this message; left out, a new one."
    )
    state = serializers.ChoiceField(choices=MESSAGE_STATES, required=False)
    start_at = serializers.DateTimeField(required=False)
    end_at = serializers.DateTimeField(required=False)
    transaction_id = serializers.CharField(max_length=36, required=False)
    display = ComponentInput(required=False)
    # ListSerializer takes max_length (DRF 3.14+); the stubs do not know it yet.
    extra = MessageContentInput(  # type: ignore[call-arg]
        many=True, required=False, allow_empty=False, max_length=4, help_text="OCPP 2.1 only."
    )


class GetDisplayMessagesInput(serializers.Serializer):
    message_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=0), required=False, allow_empty=False
    )
    priority = serializers.ChoiceField(choices=display_messages.PRIORITIES, required=False)
    state = serializers.ChoiceField(choices=MESSAGE_STATES, required=False)


class ClearDisplayMessageInput(serializers.Serializer):
    message_id = serializers.IntegerField(min_value=0)


class CertificateHashInput(serializers.Serializer):
    hash_algorithm = serializers.ChoiceField(choices=customer_information.HASH_ALGORITHMS)
    issuer_name_hash = serializers.CharField(max_length=128)
    issuer_key_hash = serializers.CharField(max_length=128)
    serial_number = serializers.CharField(max_length=40)


class CustomerInformationInput(serializers.Serializer):
    report = serializers.BooleanField(default=True)
    clear = serializers.BooleanField(default=False)
    id_token = serializers.CharField(max_length=255, required=False)
    id_token_type = serializers.CharField(max_length=20, required=False)
    customer_identifier = serializers.CharField(max_length=64, required=False)
    customer_certificate = CertificateHashInput(required=False)


class GetTransactionStatusInput(serializers.Serializer):
    transaction_id = serializers.CharField(
        max_length=36, required=False, help_text="Left out: is any message still queued?"
    )


class ApnInput(serializers.Serializer):
    apn = serializers.CharField(max_length=2000)
    apn_authentication = serializers.ChoiceField(choices=network_profiles.APN_AUTHENTICATIONS)
    apn_user_name = serializers.CharField(max_length=50, required=False)
    apn_password = serializers.CharField(max_length=64, required=False)
    sim_pin = serializers.IntegerField(required=False)
    preferred_network = serializers.CharField(max_length=6, required=False)
    use_only_preferred_network = serializers.BooleanField(required=False)


class VpnInput(serializers.Serializer):
    server = serializers.CharField(max_length=2000)
    user = serializers.CharField(max_length=50)
    group = serializers.CharField(max_length=50, required=False)
    password = serializers.CharField(max_length=64)
    key = serializers.CharField(max_length=255)
    type = serializers.ChoiceField(choices=network_profiles.VPN_TYPES)


class ConnectionDataInput(serializers.Serializer):
    ocpp_csms_url = serializers.CharField(max_length=2000)
    security_profile = serializers.IntegerField(min_value=0, max_value=3)
    ocpp_interface = serializers.ChoiceField(
        choices=network_profiles.INTERFACES + network_profiles.INTERFACES_V21
    )
    ocpp_transport = serializers.ChoiceField(choices=["JSON", "SOAP"], default="JSON")
    message_timeout = serializers.IntegerField(min_value=1, default=30)
    ocpp_version = serializers.ChoiceField(
        choices=network_profiles.PROFILE_OCPP_VERSIONS,
        required=False,
        help_text="Required by 2.0.1.",
    )
    identity = serializers.CharField(max_length=48, required=False, help_text="OCPP 2.1 only.")
    basic_auth_password = serializers.CharField(
        max_length=64, required=False, help_text="OCPP 2.1 only."
    )
    apn = ApnInput(required=False)
    vpn = VpnInput(required=False)


class SetNetworkProfileInput(serializers.Serializer):
    configuration_slot = serializers.IntegerField(min_value=0)
    connection_data = ConnectionDataInput()


def _set_monitoring(outcome: monitoring.SetMonitoringResult) -> dict[str, Any]:
    return {"results": [dataclasses.asdict(result) for result in outcome.results]}


def _clear_monitoring(outcome: monitoring.ClearMonitoringResult) -> dict[str, Any]:
    return {"results": [{"id": key, "status": value} for key, value in outcome.results.items()]}


def _monitoring_report(outcome: monitoring_reports.MonitoringReportResult) -> dict[str, Any]:
    return {"status": outcome.status, "request_id": outcome.request.request_id}


def _display_message(outcome: display_messages.DisplayMessageResult) -> dict[str, Any]:
    message = outcome.message
    return {
        "status": outcome.status,
        "message_id": message.message_id if message is not None else None,
    }


def _customer_information(
    outcome: customer_information.CustomerInformationResult,
) -> dict[str, Any]:
    return {"status": outcome.status, "request_id": outcome.request.request_id}


def _status(outcome: Any) -> dict[str, Any]:
    return {"status": outcome.status}


SPECS = [
    spec("set-variable-monitoring", SetVariableMonitoringInput, render=_set_monitoring),
    spec("clear-variable-monitoring", ClearVariableMonitoringInput, render=_clear_monitoring),
    spec("set-monitoring-base", SetMonitoringBaseInput, render=_status),
    spec("set-monitoring-level", SetMonitoringLevelInput, render=_status),
    spec("get-monitoring-report", GetMonitoringReportInput, render=_monitoring_report),
    spec("set-display-message", SetDisplayMessageInput, render=_display_message),
    spec("get-display-messages", GetDisplayMessagesInput),
    spec("clear-display-message", ClearDisplayMessageInput, render=_status),
    spec("customer-information", CustomerInformationInput, render=_customer_information),
    spec("get-transaction-status", GetTransactionStatusInput),
    spec("set-network-profile", SetNetworkProfileInput, render=_status),
]
