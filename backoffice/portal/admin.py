"""Admin of the driver portal's records: drivers' sessions (limits, what they were told) and
their notifications. Read-mostly: the services change them."""

from __future__ import annotations

from django.contrib import admin

from .models import DriverSession, Notification


@admin.register(DriverSession)
class DriverSessionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "station",
        "evse_id",
        "id_tag",
        "transaction",
        "start_status",
        "limit_energy_wh",
        "limit_minutes",
        "limit_reached",
        "created_at",
    ]
    list_filter = ["start_status", "limit_reached"]
    search_fields = ["user__username", "user__email", "id_tag", "station__identity"]
    list_select_related = ["user", "station", "transaction__station"]
    raw_id_fields = ["user", "station", "transaction", "start_command", "stop_command"]
    readonly_fields = [
        "start_status",
        "limit_sent",
        "limit_reached",
        "limit_reached_at",
        "charging_finished_at",
        "notified",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "body", "user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "driver_session"]
    readonly_fields = ["created_at", "emailed_at"]
    date_hierarchy = "created_at"
