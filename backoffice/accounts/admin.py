from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backoffice.lib import client_address

from .models import DriverProfile, IdToken, StaffProfile
from .services import sign_in_policy


@admin.register(IdToken)
class IdTokenAdmin(admin.ModelAdmin):
    list_display = ["id_token", "label", "type", "status", "expires_at", "group_id_token", "user"]
    list_filter = ["status", "type", "awaiting_approval", "allow_concurrent_transactions"]
    search_fields = ["id_token", "label", "group_id_token", "user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(DriverProfile)
class DriverProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "app_token", "email_notifications", "created_at"]
    list_filter = ["email_notifications", "notify_session_started", "notify_session_ended"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "app_token"]
    raw_id_fields = ["user", "app_token"]
    readonly_fields = ["created_at", "updated_at"]


class StaffProfileInline(admin.StackedInline):
    """A user's staff role and sites, edited on the user's page (no profile: no staff access)."""

    model = StaffProfile
    can_delete = True
    extra = 0
    max_num = 1
    filter_horizontal = ["sites"]
    readonly_fields = ["created_at", "updated_at"]


User = get_user_model()
_registered = admin.site._registry.get(User)
# Extend whatever admin the user model has (Django's own unless a package replaced it).
_user_admin_class: type[UserAdmin] = type(_registered) if _registered else UserAdmin  # type: ignore[assignment]


class UserWithRoleAdmin(_user_admin_class):  # type: ignore[misc, valid-type]
    inlines = [*_user_admin_class.inlines, StaffProfileInline]
    list_display = [*_user_admin_class.list_display, "staff_role"]
    list_filter = [*_user_admin_class.list_filter, "staff_profile__role"]
    list_select_related = ["staff_profile"]

    @admin.display(description=_("staff role"), ordering="staff_profile__role")
    def staff_role(self, user: Any) -> str:
        if user.is_superuser:
            return str(_("Admin (superuser)"))
        profile = getattr(user, "staff_profile", None)
        return profile.get_role_display() if profile else "-"


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, UserWithRoleAdmin)


class SignInPolicyAdminLoginForm(AdminAuthenticationForm):
    """Django admin's sign-in, told why the sign-in policy refuses it (the backend enforces)."""

    def clean(self) -> dict[str, Any]:
        login = sign_in_policy.login_of(self.cleaned_data)
        if login and self.request is not None:
            address = client_address.from_request(self.request)
            if not sign_in_policy.check(address=address, login=login).allowed:
                raise ValidationError(sign_in_policy.TOO_MANY_ATTEMPTS, code="too_many_attempts")
        return super().clean()


admin.site.login_form = SignInPolicyAdminLoginForm
