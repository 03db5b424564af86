"""The device model: what a station says it is made of, and how it is configured.

2.x stations report components, variables, attributes and characteristics in pages
(NotifyReport, seqNo/tbc), their monitors in NotifyMonitoringReport and their alerts in
NotifyEvent. 1.6 configuration keys are kept in the same store as variables of component
"OCPP16", so one page shows and edits either.

What a 2.x station reports comes as version-neutral values (`types`), converted by its
session adapter with the specification's defaults applied.

Upserts rely on the unique keys (ON CONFLICT) rather than row locks, so concurrent writers of
the same component or variable never fail; rows are written in key order so two such writers
take their row locks in the same order and cannot deadlock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import structlog
from django.db import transaction

from backoffice.lib.units import parse_decimal
from stations.models import (
    Component,
    DeviceEvent,
    DeviceModelReport,
    Station,
    Variable,
    VariableAttribute,
    VariableMonitor,
)
from stations.services.commands import command_secrets
from stations.services.commands.requests import ConfigurationValue
from stations.services.device.types import (
    ComponentVariable,
    MonitoredVariable,
    ReportedAttribute,
    ReportedEvent,
    ReportedMonitor,
    ReportedVariable,
    VariableCharacteristics,
)

log = structlog.get_logger(__name__)

NOTIFY_REPORT = "NotifyReport"
NOTIFY_MONITORING_REPORT = "NotifyMonitoringReport"
OCPP16_COMPONENT = "OCPP16"
ACTUAL = "Actual"
READ_ONLY, READ_WRITE = "ReadOnly", "ReadWrite"

CHARACTERISTICS = [
    "unit",
    "data_type",
    "min_limit",
    "max_limit",
    "values_list",
    "supports_monitoring",
]
# numeric(20, 6): anything at or past 10^14 overflows the column.
_DECIMAL_LIMIT = Decimal(10) ** 14
_SEVERITY_MAX = 32767

# (name, instance, evse id, connector id); empty instance and 0 mean none.
ComponentKey = tuple[str, str, int, int]
# (component, variable name, variable instance)
VariableKey = tuple[ComponentKey, str, str]


# --- NotifyReport ----------------------------------------------------------------------------


def store_report(
    *,
    station_id: int,
    request_id: int,
    seq_no: int,
    tbc: bool,
    generated_at: datetime,
    report_data: list[ReportedVariable],
) -> bool:
    """Store one NotifyReport page: its components, variables, characteristics and attributes.

    Idempotent per page (station, requestId, seqNo): a replayed page changes nothing and
    returns False. Existing rows are updated; characteristics are only overwritten when the
    page carries them, and an attribute is one row per type.
    """
    variables: dict[VariableKey, dict[str, Any] | None] = {}
    attributes: dict[VariableKey, dict[str, ReportedAttribute]] = {}
    for item in report_data:
        key = variable_key(item.target)
        if item.characteristics is not None or key not in variables:
            variables[key] = _characteristics(item.characteristics)
        for attribute in item.attributes:
            attributes.setdefault(key, {})[attribute.type] = attribute
    with transaction.atomic():
        if not _new_page(station_id, NOTIFY_REPORT, request_id, seq_no, tbc, generated_at):
            log.info("device_model.report_replayed", request_id=request_id, seq_no=seq_no)
            return False
        variable_ids = _upsert_variables(station_id, variables)
        _upsert_attributes(
            VariableAttribute(
                variable_id=variable_ids[key],
                type=type_,
                value=command_secrets.kept_value(key[1], attribute.value),
                mutability=attribute.mutability,
                persistent=attribute.persistent,
                constant=attribute.constant,
            )
            for key, by_type in sorted(attributes.items())
            for type_, attribute in sorted(by_type.items())
        )
    return True


def report_complete(*, station_id: int, request_id: int, action: str = NOTIFY_REPORT) -> bool:
    """Whether every page of the report arrived: one with tbc false and none missing before it."""
    pages = dict(
        DeviceModelReport.objects.filter(
            station_id=station_id, action=action, request_id=request_id
        ).values_list("seq_no", "tbc")
    )
    last = min((seq_no for seq_no, tbc in pages.items() if not tbc), default=None)
    return last is not None and all(seq_no in pages for seq_no in range(last))


# --- NotifyEvent -----------------------------------------------------------------------------


def store_events(
    *,
    station_id: int,
    generated_at: datetime,
    seq_no: int,
    tbc: bool,
    event_data: list[ReportedEvent],
) -> int:
    """Store the events of one NotifyEvent message; return how many were new.

    Idempotent per event on (station, eventId, timestamp): a replayed message adds nothing.
    """
    events: dict[tuple[int, datetime], DeviceEvent] = {}
    for item in event_data:
        events[(item.event_id, item.timestamp)] = DeviceEvent(
            station_id=station_id,
            event_id=item.event_id,
            timestamp=item.timestamp,
            trigger=item.trigger,
            event_notification_type=item.event_notification_type,
            component=item.component,
            variable=item.variable,
            actual_value=command_secrets.kept_value(item.target.variable, item.actual_value),
            cause=item.cause,
            tech_code=item.tech_code,
            tech_info=item.tech_info,
            cleared=item.cleared,
            transaction_id=item.transaction_id,
            variable_monitoring_id=item.variable_monitoring_id,
        )
    with transaction.atomic():
        # Locked: events have no unique key (a station reuses event ids over time), so the
        # station row makes a replay racing its original wait, then see it.
        list(Station.objects.select_for_update().filter(pk=station_id).values_list("pk"))
        # Uses index: (station, -timestamp).
        seen = set(
            DeviceEvent.objects.filter(
                station_id=station_id,
                timestamp__in={timestamp for _, timestamp in events},
                event_id__in={event_id for event_id, _ in events},
            ).values_list("event_id", "timestamp")
        )
        new = [event for key, event in events.items() if key not in seen]
        DeviceEvent.objects.bulk_create(new)
    log.info(
        "device_model.events",
        station_id=station_id,
        seq_no=seq_no,
        tbc=tbc,
        generated_at=generated_at.isoformat(),
        new=len(new),
        replayed=len(event_data) - len(new),
    )
    return len(new)


# --- NotifyMonitoringReport ------------------------------------------------------------------


def store_monitoring_report(
    *,
    station_id: int,
    request_id: int,
    seq_no: int,
    tbc: bool,
    generated_at: datetime,
    monitor: list[MonitoredVariable],
) -> bool:
    """Store one NotifyMonitoringReport page: a monitor per (variable, monitor id).

    Idempotent per page (station, requestId, seqNo): a replay changes nothing and returns
    False. A monitor id is the station's for the whole station: a monitor reported on another
    variable than before moves there. Values the columns cannot hold are skipped and logged.
    """
    variables: dict[VariableKey, None] = {}
    monitors: dict[int, tuple[VariableKey, ReportedMonitor]] = {}
    for item in monitor:
        key = variable_key(item.target)
        variables[key] = None
        for variable_monitoring in item.monitors:
            monitors[variable_monitoring.monitor_id] = (key, variable_monitoring)
    with transaction.atomic():
        if not _new_page(
            station_id, NOTIFY_MONITORING_REPORT, request_id, seq_no, tbc, generated_at
        ):
            log.info("device_model.monitoring_replayed", request_id=request_id, seq_no=seq_no)
            return False
        variable_ids = _upsert_variables(station_id, variables)
        rows: list[VariableMonitor] = []
        for monitor_id, (key, data) in sorted(monitors.items()):
            value = _decimal(data.value)
            if value is None or not 0 <= data.severity <= _SEVERITY_MAX:
                log.warning(
                    "device_model.monitor_skipped",
                    station_id=station_id,
                    monitor=dataclasses.asdict(data),
                )
                continue
            rows.append(
                VariableMonitor(
                    variable_id=variable_ids[key],
                    monitor_id=monitor_id,
                    transaction=data.transaction,
                    value=value,
                    type=data.type,
                    severity=data.severity,
                )
            )
        moved = [
            pk
            for pk, monitor_id, variable_id in VariableMonitor.objects.filter(
                variable__component__station_id=station_id,
                monitor_id__in=[row.monitor_id for row in rows],
            ).values_list("pk", "monitor_id", "variable_id")
            if variable_id != variable_ids[monitors[monitor_id][0]]
        ]
        if moved:
            VariableMonitor.objects.filter(pk__in=moved).delete()
        VariableMonitor.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["variable", "monitor_id"],
            update_fields=["transaction", "value", "type", "severity", "updated_at"],
        )
    return True


# --- OCPP 1.6 configuration keys -------------------------------------------------------------


def store_v16_configuration(
    *,
    station_id: int,
    keys: Iterable[ConfigurationValue],
    unknown_keys: Iterable[str] = (),
) -> None:
    """Store a configuration read of flat keys (1.6) as variables of component "OCPP16".

    Each key becomes a variable whose Actual attribute holds the value, ReadOnly or
    ReadWrite. Keys the station says it does not know are removed. Idempotent.
    """
    component: ComponentKey = (OCPP16_COMPONENT, "", 0, 0)
    by_key = {(component, item.variable, ""): item for item in keys}
    unknown = set(unknown_keys)
    with transaction.atomic():
        variable_ids = _upsert_variables(station_id, dict.fromkeys(by_key))
        _upsert_attributes(
            VariableAttribute(
                variable_id=variable_ids[key],
                type=ACTUAL,
                value=item.value,
                mutability=READ_ONLY if item.read_only else READ_WRITE,
            )
            for key, item in sorted(by_key.items(), key=lambda pair: pair[0])
        )
        if unknown:
            Variable.objects.filter(
                component__station_id=station_id,
                component__name=OCPP16_COMPONENT,
                name__in=unknown,
            ).delete()


def store_actual_values(*, station_id: int, values: Mapping[tuple[str, str], str]) -> None:
    """Store values read or set on the station as Actual attributes.

    `values` maps (component name, variable name) to the value; both are created when new.
    Only the value changes on an existing attribute: its mutability and flags are kept.
    Idempotent.
    """
    by_key: dict[VariableKey, str] = {
        ((component, "", 0, 0), variable, ""): command_secrets.kept_value(variable, value)
        for (component, variable), value in values.items()
    }
    if not by_key:
        return
    with transaction.atomic():
        variable_ids = _upsert_variables(station_id, dict.fromkeys(by_key))
        VariableAttribute.objects.bulk_create(
            [
                VariableAttribute(variable_id=variable_ids[key], type=ACTUAL, value=value)
                for key, value in sorted(by_key.items())
            ],
            update_conflicts=True,
            unique_fields=["variable", "type"],
            update_fields=["value", "updated_at"],
        )


# --- reading ---------------------------------------------------------------------------------


# --- helpers ---------------------------------------------------------------------------------


def _new_page(
    station_id: int,
    action: str,
    request_id: int,
    seq_no: int,
    tbc: bool,
    generated_at: datetime,
) -> bool:
    # The unique page key makes a replay racing its original wait, then find it.
    _, created = DeviceModelReport.objects.get_or_create(
        station_id=station_id,
        action=action,
        request_id=request_id,
        seq_no=seq_no,
        defaults={"tbc": tbc, "generated_at": generated_at},
    )
    return created


def variable_key(target: ComponentVariable) -> VariableKey:
    """The store's key of a component variable (no instance, EVSE or connector: "" and 0)."""
    return (
        (
            target.component,
            target.component_instance,
            target.evse_id or 0,
            target.connector_id or 0,
        ),
        target.variable,
        target.variable_instance,
    )


def upsert_variables(station_id: int, variables: Iterable[VariableKey]) -> dict[VariableKey, int]:
    """Create the variables (and components) that are new; their ids back. Idempotent."""
    return _upsert_variables(station_id, dict.fromkeys(variables))


def _decimal(raw: Any) -> Decimal | None:
    value = None if raw is None else parse_decimal(raw)
    return value if value is not None and abs(value) < _DECIMAL_LIMIT else None


def _characteristics(data: VariableCharacteristics | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {
        "unit": data.unit,
        "data_type": data.data_type,
        # A limit the column cannot hold (say 2^63 - 1 for "no limit") is kept as none.
        "min_limit": _decimal(data.min_limit),
        "max_limit": _decimal(data.max_limit),
        "values_list": data.values_list,
        "supports_monitoring": data.supports_monitoring,
    }


def _upsert_components(station_id: int, keys: Iterable[ComponentKey]) -> dict[ComponentKey, int]:
    wanted = sorted(set(keys))
    Component.objects.bulk_create(
        [
            Component(
                station_id=station_id,
                name=name,
                instance=instance,
                evse_id=evse_id,
                connector_id=connector_id,
            )
            for name, instance, evse_id, connector_id in wanted
        ],
        ignore_conflicts=True,
    )
    found = Component.objects.filter(
        station_id=station_id, name__in={key[0] for key in wanted}
    ).values_list("pk", "name", "instance", "evse_id", "connector_id")
    return {(name, instance, evse, connector): pk for pk, name, instance, evse, connector in found}


def _upsert_variables(
    station_id: int, variables: Mapping[VariableKey, dict[str, Any] | None]
) -> dict[VariableKey, int]:
    """Create the variables that are new, update characteristics given (not None); ids back."""
    if not variables:
        return {}
    component_ids = _upsert_components(station_id, (key[0] for key in variables))
    with_characteristics: list[Variable] = []
    without: list[Variable] = []
    for key, characteristics in sorted(variables.items()):
        row = Variable(
            component_id=component_ids[key[0]],
            name=key[1],
            instance=key[2],
            **(characteristics or {}),
        )
        (without if characteristics is None else with_characteristics).append(row)
    if with_characteristics:
        Variable.objects.bulk_create(
            with_characteristics,
            update_conflicts=True,
            unique_fields=["component", "name", "instance"],
            update_fields=CHARACTERISTICS,
        )
    if without:
        Variable.objects.bulk_create(without, ignore_conflicts=True)
    found = Variable.objects.filter(
        component_id__in={component_ids[key[0]] for key in variables},
        name__in={key[1] for key in variables},
    ).values_list("pk", "component_id", "name", "instance")
    by_ids = {(component_id, name, instance): pk for pk, component_id, name, instance in found}
    return {key: by_ids[(component_ids[key[0]], key[1], key[2])] for key in variables}


def _upsert_attributes(rows: Iterable[VariableAttribute]) -> None:
    VariableAttribute.objects.bulk_create(
        list(rows),
        update_conflicts=True,
        unique_fields=["variable", "type"],
        update_fields=["value", "mutability", "persistent", "constant", "updated_at"],
    )
