"""Drivers' accounts: the profile every driver has, accounts operators open, preferences.

A driver is any user without a staff profile (`roles`); their `DriverProfile` is made at sign-up
(the allauth adapter calls `signed_up`) or on first use (`ensure_profile`).
"""

from __future__ import annotations

from typing import Any

import structlog
from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from allauth.utils import generate_unique_username
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.exceptions import ProfileInvalid
from backoffice.accounts.models import DriverProfile
from backoffice.audit import services as audit

EMAIL_INVALID = _("Enter a valid email address.")
EMAIL_TAKEN = _("An account with this email address exists already.")
SOC_OUT_OF_RANGE = _("Choose a percent from 1 to 100.")
IDLE_OUT_OF_RANGE = _("Choose at least one minute.")

log = structlog.get_logger(__name__)

# What `update_preferences` may change: on the profile, and the name on the user.
PROFILE_FIELDS = frozenset(
    {
        "phone",
        "notify_session_started",
        "notify_charging_finished",
        "notify_soc_percent",
        "notify_session_ended",
        "notify_idle_minutes",
        "email_notifications",
    }
)
USER_FIELDS = frozenset({"first_name", "last_name"})


def ensure_profile(user: Any) -> DriverProfile:
    """The user's driver profile, made with the defaults when they have none yet."""
    profile, _created = DriverProfile.objects.get_or_create(user=user)
    return profile


def signed_up(*, user: Any) -> DriverProfile:
    """A person signed themselves up (allauth): their profile, and the audit row."""
    with transaction.atomic():
        profile = ensure_profile(user)
        audit.record(
            action="accounts.driver.sign_up", actor=user, target=user, data={"email": user.email}
        )
    return profile


def create_driver(
    *,
    actor: Any,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    request: HttpRequest,
) -> Any:
    """An account an operator opens for a driver: the email address counts as verified and,
    once committed, allauth's password-reset email goes to it so the driver sets a password
    (`request` builds the link). Raises ProfileInvalid (field "email") for a malformed or
    taken address."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ProfileInvalid(str(EMAIL_INVALID), field="email") from error
    user_model = get_user_model()
    with transaction.atomic():
        if (
            EmailAddress.objects.filter(email__iexact=email).exists()
            or user_model.objects.filter(email__iexact=email).exists()
        ):
            raise ProfileInvalid(str(EMAIL_TAKEN), field="email")
        user = user_model(
            username=generate_unique_username([first_name, last_name, email, "driver"]),
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        DriverProfile.objects.create(user=user, phone=phone.strip())
        audit.record(
            action="accounts.driver.create",
            actor=actor,
            target=user,
            data={"email": email, "first_name": user.first_name, "last_name": user.last_name},
        )
        transaction.on_commit(lambda: send_set_password_email(request=request, email=email))
    return user


def send_set_password_email(*, request: HttpRequest, email: str) -> None:
    """allauth's password-reset email to `email` (the template greets a driver who has no
    password yet as a new account)."""
    form = ResetPasswordForm(data={"email": email})
    if form.is_valid():
        # allauth builds the link from the request in its context (set by its middleware in a
        # request; set here too, for callers outside one).
        with request_context(request):
            form.save(request)
    else:
        log.warning("accounts.set_password_email_not_sent", email=email, errors=form.errors)


def update_preferences(*, user: Any, **fields: Any) -> DriverProfile:
    """Change the driver's name, phone and notification preferences (the fields named in
    PROFILE_FIELDS and USER_FIELDS; another name is a TypeError). Raises ProfileInvalid for a
    value out of range. Audited with what changed."""
    unknown = set(fields) - PROFILE_FIELDS - USER_FIELDS
    if unknown:
        raise TypeError(f"update_preferences() got unknown fields: {sorted(unknown)}")
    _check_preferences(fields)
    with transaction.atomic():
        profile = ensure_profile(user)
        # Locked: two tabs saving at once write one after the other, each change audited.
        profile = DriverProfile.objects.select_for_update().get(pk=profile.pk)
        changed: dict[str, Any] = {}
        for name, value in fields.items():
            owner = profile if name in PROFILE_FIELDS else user
            if isinstance(value, str):
                value = value.strip()
            if getattr(owner, name) != value:
                changed[name] = {"from": getattr(owner, name), "to": value}
                setattr(owner, name, value)
        profile_changes = [name for name in changed if name in PROFILE_FIELDS]
        user_changes = [name for name in changed if name in USER_FIELDS]
        if profile_changes:
            profile.save(update_fields=[*profile_changes, "updated_at"])
        if user_changes:
            user.save(update_fields=user_changes)
        if changed:
            audit.record(
                action="accounts.driver.preferences", actor=user, target=profile, data=changed
            )
    return profile


def _check_preferences(fields: dict[str, Any]) -> None:
    soc = fields.get("notify_soc_percent")
    if soc is not None and not 1 <= soc <= 100:
        raise ProfileInvalid(str(SOC_OUT_OF_RANGE), field="notify_soc_percent")
    idle = fields.get("notify_idle_minutes")
    if idle is not None and idle < 1:
        raise ProfileInvalid(str(IDLE_OUT_OF_RANGE), field="notify_idle_minutes")
