from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from stations.exceptions import CommandError
from stations.services.commands.bus import Caller
from stations.services.local_lists import local_list
from stations.services.security import (
    certificate_revocation,
    station_access,
    station_auth,
    station_passwords,
)

from .models import (
    BatterySwapEvent,
    CertificateAuthority,
    ChargingProfile,
    Command,
    Component,
    Connector,
    DataTransferRecord,
    DeviceEvent,
    DeviceModelReport,
    DeviceReportRequest,
    Evse,
    FirmwareFile,
    InstalledCertificate,
    IssuedCertificate,
    LocalAuthList,
    LocalListEntry,
    MessageLog,
    MeterValue,
    SecurityEvent,
    Site,
    Station,
    StationConnection,
    StationJob,
    StationReport,
    StatusEvent,
    Transaction,
    TransactionEvent,
    Variable,
    VariableAttribute,
    VariableMonitor,
    Worker,
)
from .models.customer_information import CustomerInformationRequest
from .models.display_messages import DisplayMessage
from .models.monitoring import MonitoringReportRequest
from .models.v21 import DefaultTariff, DerControl, DerControlReport, PeriodicEventStream


class ReadOnlyAdmin(admin.ModelAdmin):
    """What stations report is evidence: operators read it, nobody edits it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Evidence goes by retention (message log) or with its station, never by hand.
        return False


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "grid_limit_kw"]
    search_fields = ["name", "address"]


class StationForm(forms.ModelForm):
    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        validators=[station_passwords.validate],
        help_text=_(
            "16 to 40 random characters (letters, digits, * - _ = : + | @ .), for security "
            "profiles 1 and 2; better, tick 'Generate'. Leave empty to keep."
        ),
    )
    generate_password = forms.BooleanField(
        label=_("Generate a new password"),
        required=False,
        help_text=_("Shown once after saving."),
    )

    class Meta:
        model = Station
        fields = [
            "identity",
            "name",
            "site",
            "is_active",
            "registration_status",
            "security_profile",
        ]

    def clean_identity(self) -> str:
        identity = self.cleaned_data["identity"]
        if ":" in identity or "/" in identity:
            raise forms.ValidationError(_("A station id cannot contain ':' or '/'."))
        return identity


class EvseInline(admin.TabularInline):
    model = Evse
    extra = 0
    fields = ["evse_id"]
    show_change_link = True


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    form = StationForm
    list_display = [
        "identity",
        "name",
        "site",
        "registration_status",
        "security_profile",
        "ocpp_version",
        "status",
        "online",
        "last_seen_at",
        "message_log_link",
    ]
    list_filter = [
        "registration_status",
        "security_profile",
        "ocpp_version",
        "is_active",
        "auto_registered",
        "site",
        "vendor",
    ]
    search_fields = [
        "identity",
        "name",
        "serial_number",
        "charge_box_serial_number",
        "vendor",
        "model",
    ]
    list_select_related = ["site", "connection__worker"]
    readonly_fields = [
        "auto_registered",
        "ocpp_version",
        "vendor",
        "model",
        "serial_number",
        "charge_box_serial_number",
        "firmware_version",
        "iccid",
        "imsi",
        "meter_type",
        "meter_serial_number",
        "status",
        "error_code",
        "status_at",
        "last_boot_at",
        "last_seen_at",
        "created_at",
        "updated_at",
    ]
    inlines = [EvseInline]
    actions = ["accept_stations", "reject_stations"]

    @admin.display(boolean=True, description=_("online"))
    def online(self, obj: Station) -> bool:
        return hasattr(obj, "connection")

    @admin.display(description=_("messages"))
    def message_log_link(self, obj: Station) -> str:
        url = reverse("admin:stations_messagelog_changelist")
        return format_html('<a href="{}?station_identity={}">{}</a>', url, obj.identity, _("log"))

    def save_model(
        self, request: HttpRequest, obj: Station, form: StationForm, change: bool
    ) -> None:
        password = form.cleaned_data.get("new_password")
        if form.cleaned_data.get("generate_password"):
            password = station_auth.generate_password()
            # Shown in the answer to this request only (response_add/_change): a message would
            # carry it in the signed, unencrypted messages cookie or wait in the session.
            request._generated_station_password = password  # type: ignore[attr-defined]
        if password:
            obj.password_hash = station_auth.hash_password(password)
        super().save_model(request, obj, form, change)
        if change and station_access.access_changed(
            changed_fields=form.changed_data, password_changed=bool(password)
        ):
            station_access.close_connections(station_ids=[obj.pk], reason="changed in admin")

    def response_add(self, request: HttpRequest, obj: Station, *args: Any) -> HttpResponse:
        return self._password_once(request, obj) or super().response_add(request, obj, *args)

    def response_change(self, request: HttpRequest, obj: Station) -> HttpResponse:
        return self._password_once(request, obj) or super().response_change(request, obj)

    def _password_once(self, request: HttpRequest, obj: Station) -> HttpResponse | None:
        password = getattr(request, "_generated_station_password", None)
        if password is None:
            return None
        response = TemplateResponse(
            request,
            "admin/stations/station/password_once.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "station": obj,
                "password": password,
                "title": _("Password for %(id)s") % {"id": obj.identity},
                "change_url": reverse("admin:stations_station_change", args=[obj.pk]),
            },
        )
        # The password must not outlive this response in any cache.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Accept the selected stations"))
    def accept_stations(self, request: HttpRequest, queryset: QuerySet[Station]) -> None:
        station_access.set_registration(
            station_ids=list(queryset.values_list("pk", flat=True)),
            status=Station.Registration.ACCEPTED,
        )

    @admin.action(description=_("Reject the selected stations"))
    def reject_stations(self, request: HttpRequest, queryset: QuerySet[Station]) -> None:
        station_access.set_registration(
            station_ids=list(queryset.values_list("pk", flat=True)),
            status=Station.Registration.REJECTED,
        )


@admin.register(Evse)
class EvseAdmin(admin.ModelAdmin):
    list_display = ["station", "evse_id"]
    search_fields = ["station__identity"]
    list_select_related = ["station"]
    raw_id_fields = ["station"]


@admin.register(Connector)
class ConnectorAdmin(ReadOnlyAdmin):
    list_display = ["evse", "connector_id", "status", "error_code", "status_at"]
    list_filter = ["status", "error_code"]
    search_fields = ["evse__station__identity"]
    list_select_related = ["evse__station"]


@admin.register(StatusEvent)
class StatusEventAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "evse_id",
        "connector_id",
        "status",
        "error_code",
        "timestamp",
        "received_at",
        "applied",
    ]
    list_filter = ["status", "error_code", "applied"]
    search_fields = ["station__identity", "vendor_error_code"]
    list_select_related = ["station"]
    date_hierarchy = "received_at"


class TransactionEventInline(admin.TabularInline):
    model = TransactionEvent
    extra = 0
    fields = ("seq_no", "event_type", "trigger_reason", "timestamp", "offline", "charging_state")
    readonly_fields = fields
    can_delete = False
    max_num = 0


class MeterValueInline(admin.TabularInline):
    model = MeterValue
    extra = 0
    fields = ("timestamp", "evse_id", "connector_id", "sampled_values", "after_stop")
    readonly_fields = fields
    can_delete = False
    max_num = 0


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "transaction_id",
        "station",
        "connector",
        "id_tag",
        "state",
        "started_at",
        "stopped_at",
        "energy",
        "stop_reason",
    ]
    list_filter = ["state", "auth_status", "stop_reason"]
    search_fields = ["transaction_id", "station__identity", "id_tag"]
    list_select_related = ["station", "connector__evse"]
    date_hierarchy = "started_at"
    inlines = [TransactionEventInline, MeterValueInline]

    @admin.display(description=_("energy (Wh)"))
    def energy(self, obj: Transaction) -> Any:
        return obj.energy_wh


@admin.register(MeterValue)
class MeterValueAdmin(ReadOnlyAdmin):
    list_display = ["station", "transaction", "evse_id", "connector_id", "timestamp", "after_stop"]
    list_filter = ["after_stop"]
    search_fields = ["station__identity", "transaction__transaction_id"]
    list_select_related = ["station", "transaction"]
    show_full_result_count = False


@admin.register(DataTransferRecord)
class DataTransferAdmin(ReadOnlyAdmin):
    list_display = ["station", "vendor_id", "message_id", "response_status", "received_at"]
    list_filter = ["response_status", "vendor_id"]
    search_fields = ["station__identity", "vendor_id", "message_id", "data"]
    list_select_related = ["station"]


@admin.register(StationJob)
class StationJobAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "kind",
        "request_id",
        "status",
        "uploaded_file",
        "created_at",
        "updated_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["station__identity"]
    list_select_related = ["station"]
    # The stored file is not served from MEDIA_URL: it is reached through the staff-only view.
    exclude = ["file"]
    readonly_fields = ["uploaded_file"]

    @admin.display(description=_("uploaded file"))
    def uploaded_file(self, obj: StationJob) -> str:
        if not obj.file:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("stations:job_download", args=[obj.pk]),
            obj.file_name or obj.file.name,
        )


@admin.register(FirmwareFile)
class FirmwareFileAdmin(admin.ModelAdmin):
    """Operators upload firmware here; stations fetch it through UpdateFirmware's URL."""

    list_display = ["name", "version", "signed", "uploaded_at", "uploaded_by"]
    search_fields = ["name", "version"]
    list_select_related = ["uploaded_by"]
    # Signature and certificate are checked (base64, PEM, both or neither) by the model.
    fields = [
        "name",
        "version",
        "file",
        "signature",
        "signing_certificate",
        "uploaded_at",
        "uploaded_by",
    ]
    readonly_fields = ["uploaded_at", "uploaded_by"]

    @admin.display(boolean=True, description=_("signed"))
    def signed(self, obj: FirmwareFile) -> bool:
        return obj.signed

    def save_model(self, request: HttpRequest, obj: FirmwareFile, form: Any, change: bool) -> None:
        if not change and request.user.is_authenticated:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["station", "type", "timestamp", "raised_by_backoffice", "tech_info"]
    list_filter = ["type", "raised_by_backoffice"]
    search_fields = ["station__identity", "type", "tech_info"]
    list_select_related = ["station"]


@admin.register(MessageLog)
class MessageLogAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "station_identity",
        "direction",
        "message_type",
        "action",
        "message_id",
        "short_frame",
    ]
    list_filter = ["direction", "message_type", "action"]
    search_fields = ["=station_identity", "=message_id"]
    date_hierarchy = "created_at"
    # Counting millions of rows on every page load is the slow part of a log view.
    show_full_result_count = False

    @admin.display(description=_("frame"))
    def short_frame(self, obj: MessageLog) -> str:
        return obj.frame if len(obj.frame) <= 120 else obj.frame[:117] + "…"


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ["name", "started_at", "beat_at"]


@admin.register(StationConnection)
class StationConnectionAdmin(ReadOnlyAdmin):
    list_display = ["station", "worker", "ocpp_version", "remote_addr", "connected_at"]
    list_filter = ["ocpp_version"]
    search_fields = ["station__identity", "remote_addr"]
    list_select_related = ["station", "worker"]


# --- device model (2.x components and variables; 1.6 keys as component "OCPP16") -----------


class VariableInline(admin.TabularInline):
    model = Variable
    extra = 0
    fields = ("name", "instance", "data_type", "unit", "min_limit", "max_limit")
    readonly_fields = fields
    can_delete = False
    max_num = 0
    show_change_link = True


@admin.register(Component)
class ComponentAdmin(ReadOnlyAdmin):
    list_display = ["station", "name", "instance", "evse_id", "connector_id"]
    list_filter = ["name"]
    search_fields = ["station__identity", "name", "instance"]
    list_select_related = ["station"]
    inlines = [VariableInline]


class VariableAttributeInline(admin.TabularInline):
    model = VariableAttribute
    extra = 0
    fields = ("type", "value", "mutability", "persistent", "constant", "updated_at")
    readonly_fields = fields
    can_delete = False
    max_num = 0


@admin.register(Variable)
class VariableAdmin(ReadOnlyAdmin):
    list_display = ["component", "name", "instance", "station", "data_type", "unit"]
    list_filter = ["data_type", "supports_monitoring", "component__name"]
    search_fields = ["component__station__identity", "component__name", "name", "instance"]
    list_select_related = ["component__station"]
    inlines = [VariableAttributeInline]

    @admin.display(description=_("station"), ordering="component__station__identity")
    def station(self, obj: Variable) -> Station:
        return obj.component.station


@admin.register(VariableAttribute)
class VariableAttributeAdmin(ReadOnlyAdmin):
    list_display = ["variable", "component", "type", "value", "mutability", "updated_at"]
    list_filter = ["type", "mutability"]
    search_fields = [
        "variable__component__station__identity",
        "variable__component__name",
        "variable__name",
    ]
    list_select_related = ["variable__component__station"]
    show_full_result_count = False

    @admin.display(description=_("component"))
    def component(self, obj: VariableAttribute) -> Component:
        return obj.variable.component


@admin.register(VariableMonitor)
class VariableMonitorAdmin(ReadOnlyAdmin):
    list_display = ["monitor_id", "variable", "type", "value", "severity", "transaction"]
    list_filter = ["type", "severity", "transaction"]
    search_fields = ["variable__component__station__identity", "variable__name"]
    list_select_related = ["variable__component__station"]


@admin.register(DeviceModelReport)
class DeviceModelReportAdmin(ReadOnlyAdmin):
    list_display = ["station", "action", "request_id", "seq_no", "tbc", "generated_at"]
    list_filter = ["action", "tbc"]
    search_fields = ["station__identity"]
    list_select_related = ["station"]
    date_hierarchy = "received_at"


@admin.register(DeviceEvent)
class DeviceEventAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "event_id",
        "timestamp",
        "trigger",
        "event_notification_type",
        "actual_value",
        "cleared",
    ]
    list_filter = ["trigger", "event_notification_type", "cleared"]
    search_fields = ["station__identity", "tech_code", "transaction_id"]
    list_select_related = ["station"]
    date_hierarchy = "timestamp"


@admin.register(TransactionEvent)
class TransactionEventAdmin(ReadOnlyAdmin):
    list_display = [
        "transaction",
        "seq_no",
        "event_type",
        "trigger_reason",
        "timestamp",
        "offline",
        "charging_state",
    ]
    list_filter = ["event_type", "trigger_reason", "offline"]
    search_fields = ["transaction__transaction_id", "transaction__station__identity", "id_token"]
    list_select_related = ["transaction__station"]


@admin.register(StationReport)
class StationReportAdmin(ReadOnlyAdmin):
    list_display = ["station", "action", "evse_id", "request_id", "received_at"]
    list_filter = ["action"]
    search_fields = ["station__identity"]
    list_select_related = ["station"]
    date_hierarchy = "received_at"


@admin.register(BatterySwapEvent)
class BatterySwapEventAdmin(ReadOnlyAdmin):
    list_display = ["station", "event_type", "request_id", "id_tag", "received_at"]
    list_filter = ["event_type"]
    search_fields = ["station__identity", "id_tag"]
    list_select_related = ["station"]


@admin.register(Command)
class CommandAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "station",
        "action",
        "state",
        "result_status",
        "error_code",
        "actor",
        "actor_label",
    ]
    list_filter = ["state", "action", "result_status"]
    search_fields = ["station__identity", "message_id", "actor__username", "actor_label"]
    list_select_related = ["station", "actor"]
    date_hierarchy = "created_at"


class LocalListEntryInline(admin.TabularInline):
    model = LocalListEntry
    fields = ("id_tag", "id_token", "wanted", "sent_info", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LocalAuthList)
class LocalAuthListAdmin(ReadOnlyAdmin):
    """Tokens go on and off a list through `local_list` services (audited); sent from here."""

    list_display = [
        "station",
        "version",
        "station_version",
        "last_update_type",
        "last_status",
        "last_sent_at",
    ]
    list_filter = ["last_status"]
    search_fields = ["station__identity"]
    list_select_related = ["station"]
    inlines = [LocalListEntryInline]
    actions = ["send_full", "send_differential"]

    @admin.action(description=_("Send the full list to the selected stations"))
    def send_full(self, request: HttpRequest, queryset: QuerySet[LocalAuthList]) -> None:
        self._send(request, queryset, local_list.FULL)

    @admin.action(description=_("Send the changes to the selected stations"))
    def send_differential(self, request: HttpRequest, queryset: QuerySet[LocalAuthList]) -> None:
        self._send(request, queryset, local_list.DIFFERENTIAL)

    def _send(self, request: HttpRequest, queryset: QuerySet[LocalAuthList], kind: str) -> None:
        caller = Caller(user=request.user, label="admin")
        for row in queryset.select_related("station"):
            try:
                result = local_list.send_local_list(
                    station_id=row.station_id, update_type=kind, caller=caller
                )
            except CommandError as err:
                messages.error(request, f"{row.station}: {err.message}")
                continue
            level = messages.SUCCESS if result.accepted else messages.WARNING
            status = result.status or result.command.error_code
            self.message_user(request, f"{row.station}: {status} (v{result.version})", level)


@admin.register(DeviceReportRequest)
class DeviceReportRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "request_id",
        "report_base",
        "status",
        "pages",
        "completed_at",
        "pruned_variables",
        "created_at",
    ]
    list_filter = ["report_base", "status"]
    search_fields = ["station__identity"]
    list_select_related = ["station"]
    date_hierarchy = "created_at"


@admin.register(ChargingProfile)
class ChargingProfileAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "evse_id",
        "profile_id",
        "purpose",
        "stack_level",
        "kind",
        "state",
        "origin",
        "limit_source",
        "updated_at",
    ]
    list_filter = ["state", "origin", "purpose"]
    search_fields = ["station__identity", "=profile_id"]
    list_select_related = ["station"]
    raw_id_fields = ["command", "clear_command"]


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnlyAdmin):
    """Created by `manage.py init_ca` or on the first SignCertificate; the key never shows."""

    list_display = ["common_name", "serial_number", "not_after", "is_active", "created_at"]
    exclude = ["private_key_pem"]


@admin.register(IssuedCertificate)
class IssuedCertificateAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "station",
        "certificate_type",
        "serial_number",
        "subject",
        "not_after",
        "delivery",
        "revoked_at",
    ]
    list_filter = ["certificate_type", "delivery"]
    search_fields = ["station__identity", "serial_number", "subject"]
    list_select_related = ["station"]
    raw_id_fields = ["command"]
    date_hierarchy = "created_at"
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("stations.change_issuedcertificate")

    @admin.action(description=_("Revoke the selected certificates"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[IssuedCertificate]) -> None:
        # The CRL for the TLS proxy is written again (OCPP_CA_EXPORT_DIR): docs/deployment.md.
        caller = Caller(user=request.user, label="admin")
        for certificate_id in queryset.values_list("pk", flat=True):
            certificate_revocation.revoke(certificate_id=certificate_id, caller=caller)
        self.message_user(
            request, _("Revoked %(count)d certificate(s).") % {"count": len(queryset)}
        )


@admin.register(InstalledCertificate)
class InstalledCertificateAdmin(ReadOnlyAdmin):
    list_display = ["station", "certificate_type", "serial_number", "subject", "not_after"]
    list_filter = ["certificate_type"]
    search_fields = ["station__identity", "serial_number", "subject"]
    list_select_related = ["station"]


# OCPP 2.1: what the back office set on stations (DER controls, default tariffs) and the
# streams stations opened. Kept by the services from the stations' answers: read-only.


@admin.register(DerControl)
class DerControlAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "control_type",
        "control_id",
        "is_default",
        "priority",
        "superseded",
        "active",
        "ends_at",
        "set_at",
    ]
    list_filter = ["control_type", "is_default", "superseded", "active"]
    search_fields = ["station__identity", "control_id"]
    list_select_related = ["station"]
    raw_id_fields = ["command"]


@admin.register(DerControlReport)
class DerControlReportAdmin(ReadOnlyAdmin):
    list_display = ["station", "request_id", "pages", "complete", "created_at", "updated_at"]
    list_filter = ["complete"]
    search_fields = ["station__identity", "=request_id"]
    list_select_related = ["station"]
    raw_id_fields = ["command"]


@admin.register(DefaultTariff)
class DefaultTariffAdmin(ReadOnlyAdmin):
    list_display = ["station", "evse_id", "tariff_id", "currency", "valid_from", "set_at"]
    list_filter = ["currency"]
    search_fields = ["station__identity", "tariff_id"]
    list_select_related = ["station"]
    raw_id_fields = ["command"]


@admin.register(PeriodicEventStream)
class PeriodicEventStreamAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "stream_id",
        "variable_monitoring_id",
        "interval",
        "values",
        "opened_at",
        "closed_at",
    ]
    search_fields = ["station__identity", "=stream_id"]
    list_select_related = ["station"]


@admin.register(MonitoringReportRequest)
class MonitoringReportRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "station",
        "request_id",
        "status",
        "pages",
        "completed_at",
        "pruned_monitors",
    ]
    list_filter = ["status"]
    search_fields = ["station__identity", "=request_id"]
    list_select_related = ["station"]
    date_hierarchy = "created_at"


@admin.register(DisplayMessage)
class DisplayMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "station",
        "message_id",
        "priority",
        "state",
        "content",
        "status",
        "start_at",
        "end_at",
        "updated_at",
    ]
    list_filter = ["status", "priority", "format"]
    search_fields = ["station__identity", "content", "transaction_id"]
    list_select_related = ["station"]


@admin.register(CustomerInformationRequest)
class CustomerInformationRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "station",
        "request_id",
        "report",
        "clear",
        "customer_identifier",
        "complete",
    ]
    list_filter = ["report", "clear", "complete"]
    search_fields = ["station__identity", "=request_id", "id_token", "customer_identifier"]
    list_select_related = ["station"]
    date_hierarchy = "created_at"
