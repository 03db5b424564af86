"""The commands people send to stations: what each is called, the service it calls, the OCPP
versions whose stations offer it, a one-line summary and the keywords a person fills in.

The REST API (`stations.api`) and the operator pages (`stations.forms.commands`) both read
this catalogue and neither imports the other. Each describes the fields for its own readers
(DRF help texts and schemas, translated form labels and widgets); the catalogue names the
keyword arguments both hand the service besides `station_id` and `caller`, and the API checks
its input serializers against them at start.

Commands of another app (reservations) are registered by that app's `AppConfig.ready`, so the
charging core does not import the apps that build on it. A version here is data: which
stations a command is offered to. What a version can express inside a command is the
version adapters' business (`adapters.traits`, and their refusals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stations.services.charging import (
    battery_swap,
    energy_transfer,
    payments,
    station_tariffs,
    transaction_status,
)
from stations.services.commands import remote
from stations.services.commands.adapters import DEFAULT_VERSION, VERSIONS
from stations.services.device import (
    customer_information,
    device_reports,
    display_messages,
    event_streams,
    monitoring,
    monitoring_reports,
    network_profiles,
)
from stations.services.jobs import station_jobs
from stations.services.local_lists import local_list
from stations.services.security import certificates
from stations.services.smart_charging import der_control, profile_commands

ALL_VERSIONS = frozenset(VERSIONS)
V16 = frozenset({"1.6"})
V2X = frozenset({"2.0.1", "2.1"})
V21 = frozenset({"2.1"})


@dataclass(frozen=True, slots=True)
class Command:
    # The command's name in URLs and forms: POST /api/v1/stations/<station>/commands/<name>/.
    name: str
    # Called as service(station_id=..., caller=..., **arguments); returns a result dataclass
    # whose `command` is the finished Command row.
    service: Callable[..., Any]
    # The OCPP versions whose stations offer the command.
    versions: frozenset[str]
    summary: str
    # The service's keyword arguments a person may fill in, in the order they are shown.
    fields: tuple[str, ...] = ()


def offered(command: Command, version: str | None) -> bool:
    """Whether a station speaking `version` ("" before its first boot: 1.6) offers it."""
    return (version or DEFAULT_VERSION) in command.versions


_catalogue: dict[str, Command] = {}


def register(*commands: Command) -> None:
    """Add commands; a name is taken once (registering the same command again is a no-op)."""
    for command in commands:
        known = _catalogue.get(command.name)
        if known is not None and known != command:
            raise ValueError(f"Two commands are named {command.name!r}.")
        _catalogue[command.name] = command


def commands() -> dict[str, Command]:
    """Every command, by name."""
    return dict(_catalogue)


def command(name: str) -> Command:
    """The command named `name`; KeyError when there is none."""
    return _catalogue[name]


register(
    # --- version-neutral remote commands ---
    Command(
        name="remote-start",
        service=remote.remote_start,
        versions=ALL_VERSIONS,
        summary="Start charging for an id token (RemoteStartTransaction / RequestStart).",
        fields=("id_token", "evse_id", "connector_id", "charging_profile", "remote_start_id"),
    ),
    Command(
        name="remote-stop",
        service=remote.remote_stop,
        versions=ALL_VERSIONS,
        summary="Stop a transaction (RemoteStopTransaction / RequestStopTransaction).",
        fields=("transaction_id",),
    ),
    Command(
        name="reset",
        service=remote.reset,
        versions=ALL_VERSIONS,
        summary="Reset the station.",
        fields=("hard", "when_idle"),
    ),
    Command(
        name="change-availability",
        service=remote.change_availability,
        versions=ALL_VERSIONS,
        summary="Make the station, an EVSE or a connector operative or inoperative.",
        fields=("operative", "evse_id", "connector_id"),
    ),
    Command(
        name="unlock-connector",
        service=remote.unlock_connector,
        versions=ALL_VERSIONS,
        summary="Unlock a connector.",
        fields=("evse_id", "connector_id"),
    ),
    Command(
        name="trigger-message",
        service=remote.trigger_message,
        versions=ALL_VERSIONS,
        summary="Ask the station to send a message now.",
        fields=("message", "evse_id"),
    ),
    Command(
        name="clear-cache",
        service=remote.clear_cache,
        versions=ALL_VERSIONS,
        summary="Clear the station's authorization cache.",
    ),
    Command(
        name="data-transfer",
        service=remote.data_transfer,
        versions=ALL_VERSIONS,
        summary="Send a vendor-specific DataTransfer.",
        fields=("vendor_id", "message_id", "data"),
    ),
    Command(
        name="get-configuration",
        service=remote.get_configuration,
        versions=ALL_VERSIONS,
        summary="Read configuration (GetConfiguration / GetVariables) into the device model.",
        fields=("keys",),
    ),
    Command(
        name="change-configuration",
        service=remote.change_configuration,
        versions=ALL_VERSIONS,
        summary="Set one configuration value (ChangeConfiguration / SetVariables).",
        fields=("key", "value"),
    ),
    # --- jobs the station carries out after answering ---
    Command(
        name="get-diagnostics",
        service=station_jobs.get_diagnostics,
        versions=V16,
        summary="Ask a 1.6 station to upload its diagnostics (GetDiagnostics).",
        fields=("start_time", "stop_time"),
    ),
    Command(
        name="get-log",
        service=station_jobs.get_log,
        versions=ALL_VERSIONS,
        summary="Ask the station to upload a diagnostics or security log (GetLog).",
        fields=("log_type", "oldest", "latest"),
    ),
    Command(
        name="update-firmware",
        service=station_jobs.update_firmware,
        versions=ALL_VERSIONS,
        summary="Update the firmware (UpdateFirmware; 1.6 SignedUpdateFirmware when signed).",
        fields=("firmware_id", "retrieve_at", "install_at", "retries", "retry_interval"),
    ),
    # --- local authorization list ---
    Command(
        name="get-local-list-version",
        service=local_list.get_local_list_version,
        versions=ALL_VERSIONS,
        summary="Read the version of the station's local authorization list.",
    ),
    Command(
        name="send-local-list",
        service=local_list.send_local_list,
        versions=ALL_VERSIONS,
        summary="Send the station's local authorization list, full or differential.",
        fields=("update_type",),
    ),
    # --- device-model reports ---
    Command(
        name="get-base-report",
        service=device_reports.get_base_report,
        versions=V2X,
        summary="Ask a 2.x station for a base report of its device model (GetBaseReport).",
        fields=("report_base",),
    ),
    Command(
        name="get-report",
        service=device_reports.get_report,
        versions=V2X,
        summary="Ask a 2.x station for a report on some components (GetReport).",
        fields=("component_criteria", "component_variables"),
    ),
    # --- smart charging ---
    Command(
        name="set-charging-profile",
        service=profile_commands.set_charging_profile,
        versions=ALL_VERSIONS,
        summary="Install a charging profile on an EVSE or the whole station.",
        fields=("evse_id", "profile"),
    ),
    Command(
        name="clear-charging-profile",
        service=profile_commands.clear_charging_profile,
        versions=ALL_VERSIONS,
        summary="Clear a charging profile by id, or the profiles matching the criteria.",
        fields=("profile_id", "evse_id", "purpose", "stack_level"),
    ),
    Command(
        name="get-composite-schedule",
        service=profile_commands.get_composite_schedule,
        versions=ALL_VERSIONS,
        summary="Read the limits the station will apply on an EVSE for a while.",
        fields=("evse_id", "duration", "rate_unit"),
    ),
    Command(
        name="get-charging-profiles",
        service=profile_commands.get_charging_profiles,
        versions=V2X,
        summary="Ask a 2.x station to report its charging profiles (kept as reported).",
        fields=("evse_id", "purpose", "stack_level", "profile_ids", "limit_sources"),
    ),
    # --- certificates ---
    Command(
        name="install-certificate",
        service=certificates.install_certificate,
        versions=ALL_VERSIONS,
        summary="Install a root certificate on the station (InstallCertificate).",
        fields=("certificate_type", "pem"),
    ),
    Command(
        name="get-installed-certificate-ids",
        service=certificates.get_installed_certificate_ids,
        versions=ALL_VERSIONS,
        summary="List the certificates the station holds and keep the list.",
        fields=("types",),
    ),
    Command(
        name="delete-certificate",
        service=certificates.delete_certificate,
        versions=ALL_VERSIONS,
        summary="Delete a certificate from the station, by its hash data.",
        fields=("hash_data",),
    ),
    Command(
        name="certificate-signed",
        service=certificates.certificate_signed,
        versions=ALL_VERSIONS,
        summary="Send a signed certificate chain to the station (CertificateSigned).",
        fields=("chain", "certificate_type"),
    ),
    # --- monitoring, display messages, customer information, network profiles (2.x) ---
    Command(
        name="set-variable-monitoring",
        service=monitoring.set_variable_monitoring,
        versions=V2X,
        summary="Set or replace monitors on component variables (SetVariableMonitoring).",
        fields=("monitors",),
    ),
    Command(
        name="clear-variable-monitoring",
        service=monitoring.clear_variable_monitoring,
        versions=V2X,
        summary="Remove monitors by id (ClearVariableMonitoring).",
        fields=("monitor_ids",),
    ),
    Command(
        name="set-monitoring-base",
        service=monitoring.set_monitoring_base,
        versions=V2X,
        summary="Switch the station's monitor set (SetMonitoringBase).",
        fields=("monitoring_base",),
    ),
    Command(
        name="set-monitoring-level",
        service=monitoring.set_monitoring_level,
        versions=V2X,
        summary="Report only events of this severity or worse (SetMonitoringLevel).",
        fields=("severity",),
    ),
    Command(
        name="get-monitoring-report",
        service=monitoring_reports.get_monitoring_report,
        versions=V2X,
        summary="Ask for the station's monitors (GetMonitoringReport).",
        fields=("criteria", "component_variables"),
    ),
    Command(
        name="set-display-message",
        service=display_messages.set_display_message,
        versions=V2X,
        summary="Show a message on the station's display (SetDisplayMessage).",
        fields=(
            "content",
            "priority",
            "message_format",
            "language",
            "message_id",
            "state",
            "start_at",
            "end_at",
            "transaction_id",
            "display",
            "extra",
        ),
    ),
    Command(
        name="get-display-messages",
        service=display_messages.get_display_messages,
        versions=V2X,
        summary="Ask for the station's display messages (GetDisplayMessages).",
        fields=("message_ids", "priority", "state"),
    ),
    Command(
        name="clear-display-message",
        service=display_messages.clear_display_message,
        versions=V2X,
        summary="Remove a display message (ClearDisplayMessage).",
        fields=("message_id",),
    ),
    Command(
        name="customer-information",
        service=customer_information.customer_information,
        versions=V2X,
        summary="Report and/or clear what the station keeps on a customer (CustomerInformation).",
        fields=(
            "report",
            "clear",
            "id_token",
            "id_token_type",
            "customer_identifier",
            "customer_certificate",
        ),
    ),
    Command(
        name="get-transaction-status",
        service=transaction_status.get_transaction_status,
        versions=V2X,
        summary="Is a transaction ongoing, and are messages queued? (GetTransactionStatus).",
        fields=("transaction_id",),
    ),
    Command(
        name="set-network-profile",
        service=network_profiles.set_network_profile,
        versions=V2X,
        summary="Store a connection profile in a configuration slot (SetNetworkProfile).",
        fields=("configuration_slot", "connection_data"),
    ),
    # --- OCPP 2.1 ---
    Command(
        name="request-battery-swap",
        service=battery_swap.request_battery_swap,
        versions=V21,
        summary="Ask a swap station to release a battery for a driver.",
        fields=("id_token", "token_type", "request_id"),
    ),
    Command(
        name="use-priority-charging",
        service=energy_transfer.use_priority_charging,
        versions=V21,
        summary="Switch a transaction to (or back from) its PriorityCharging profile.",
        fields=("transaction_id", "activate"),
    ),
    Command(
        name="update-dynamic-schedule",
        service=energy_transfer.update_dynamic_schedule,
        versions=V21,
        summary="Push new limits or setpoints into a dynamic charging profile.",
        fields=("charging_profile_id", "schedule_update"),
    ),
    Command(
        name="afrr-signal",
        service=energy_transfer.afrr_signal,
        versions=V21,
        summary="Send an aFRR frequency-restoration signal.",
        fields=("signal", "timestamp"),
    ),
    Command(
        name="notify-allowed-energy-transfer",
        service=energy_transfer.notify_allowed_energy_transfer,
        versions=V21,
        summary="Tell the station which energy transfer modes a transaction may use.",
        fields=("transaction_id", "allowed_energy_transfer"),
    ),
    Command(
        name="notify-web-payment-started",
        service=payments.notify_web_payment_started,
        versions=V21,
        summary="Tell the station a driver started paying on the web for an EVSE.",
        fields=("evse_id", "timeout"),
    ),
    Command(
        name="set-der-control",
        service=der_control.set_der_control,
        versions=V21,
        summary="Install a DER control (curve or setting), default or scheduled.",
        fields=("control_type", "setting", "is_default", "control_id"),
    ),
    Command(
        name="get-der-control",
        service=der_control.get_der_control,
        versions=V21,
        summary="Ask the station to report its DER controls (arrives as a DER control report).",
        fields=("is_default", "control_type", "control_id"),
    ),
    Command(
        name="clear-der-control",
        service=der_control.clear_der_control,
        versions=V21,
        summary="Clear default or scheduled DER controls: all, one type, or one id.",
        fields=("is_default", "control_type", "control_id"),
    ),
    Command(
        name="set-default-tariff",
        service=station_tariffs.set_default_tariff,
        versions=V21,
        summary="Install the default tariff of an EVSE (0: every EVSE) for local cost calculation.",
        fields=("tariff", "evse_id"),
    ),
    Command(
        name="get-tariffs",
        service=station_tariffs.get_tariffs,
        versions=V21,
        summary="List the tariffs installed on the station, or on one EVSE.",
        fields=("evse_id",),
    ),
    Command(
        name="clear-tariffs",
        service=station_tariffs.clear_tariffs,
        versions=V21,
        summary="Clear default tariffs: those named, those of one EVSE, or all.",
        fields=("tariff_ids", "evse_id"),
    ),
    Command(
        name="change-transaction-tariff",
        service=station_tariffs.change_transaction_tariff,
        versions=V21,
        summary="Apply another tariff to a running transaction.",
        fields=("transaction_id", "tariff"),
    ),
    Command(
        name="get-periodic-event-streams",
        service=event_streams.get_periodic_event_streams,
        versions=V21,
        summary="List the periodic event streams the station has open.",
    ),
    Command(
        name="adjust-periodic-event-stream",
        service=event_streams.adjust_periodic_event_stream,
        versions=V21,
        summary="Change how often an open periodic event stream is flushed.",
        fields=("stream_id", "interval", "values"),
    ),
)
