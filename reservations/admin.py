from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Reservation


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Reservations change through their services (the station's answers and updates):
    operators read them here and make them from the operator pages or the API."""

    list_display = [
        "reservation_id",
        "station",
        "evse_id",
        "id_tag",
        "status",
        "expires_at",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["=reservation_id", "id_tag", "station__identity"]
    list_select_related = ["station"]
    raw_id_fields = ["id_token", "command", "cancel_command", "transaction"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
