from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "actor_label", "target_type", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "actor__username", "actor_label", "target_id", "target_repr"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    # The trail is evidence: read, never written or deleted by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
