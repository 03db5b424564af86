from __future__ import annotations

from django.contrib import admin

from .models import IdToken


@admin.register(IdToken)
class IdTokenAdmin(admin.ModelAdmin):
    list_display = ["id_token", "label", "type", "status", "expires_at", "group_id_token", "user"]
    list_filter = ["status", "type", "allow_concurrent_transactions"]
    search_fields = ["id_token", "label", "group_id_token", "user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
