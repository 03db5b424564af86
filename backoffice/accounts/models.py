"""Id tokens (what a driver presents at a charger: RFID card, app token, eMAID...) and the
roles of staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdToken(models.Model):
    class Type(models.TextChoices):
        ISO14443 = "ISO14443", _("RFID (ISO 14443)")
        ISO15693 = "ISO15693", _("RFID (ISO 15693)")
        CENTRAL = "Central", _("Central / app")
        EMAID = "eMAID", _("eMAID")
        KEY_CODE = "KeyCode", _("Key code")
        LOCAL = "Local", _("Local")
        MAC_ADDRESS = "MacAddress", _("MAC address")
        NO_AUTHORIZATION = "NoAuthorization", _("No authorization")

    class Status(models.TextChoices):
        ACCEPTED = "Accepted", _("Accepted")
        BLOCKED = "Blocked", _("Blocked")
        EXPIRED = "Expired", _("Expired")
        INVALID = "Invalid", _("Invalid")

    # 1.6 idTag: 20 characters, 2.0.1: 36, 2.1: 255; the value is what the charger sends.
    id_token = models.CharField(_("id token"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.ISO14443)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACCEPTED
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # 1.6 parentIdTag / 2.x groupIdToken: a fleet's cards share one group token.
    group_id_token = models.CharField(_("group id token"), max_length=255, blank=True)
    allow_concurrent_transactions = models.BooleanField(
        _("allow concurrent transactions"),
        default=False,
        help_text=_("Otherwise a second start while a session runs answers ConcurrentTx."),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    # A card a driver added while DRIVER_TOKENS_NEED_APPROVAL is on: it answers Invalid at the
    # chargers until an operator approves it.
    awaiting_approval = models.BooleanField(_("awaiting approval"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="id_tokens",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("id token")
        verbose_name_plural = _("id tokens")
        ordering = ["id_token"]

    def __str__(self) -> str:
        return self.label or self.id_token


class StaffProfile(models.Model):
    """What a member of staff may do in the back office, and where.

    A user without a profile has no staff access (a driver, who sees only their own things);
    a superuser is an admin everywhere, profile or not. Admins see every site; an operator or
    viewer sees every site with `all_sites`, otherwise only the stations of `sites`.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        OPERATOR = "operator", _("Operator")
        VIEWER = "viewer", _("Viewer (read-only)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    all_sites = models.BooleanField(
        _("all sites"),
        default=False,
        help_text=_("Otherwise limited to the sites chosen below (admins always see every site)."),
    )
    sites = models.ManyToManyField(
        "stations.Site", verbose_name=_("sites"), blank=True, related_name="staff_profiles"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class DriverProfile(models.Model):
    """A driver's preferences: which notifications they want, and how.

    Created with the account (or on first use); staff may have one too when they charge.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="driver_profile",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The Central token remote starts from the portal are sent with (made on first start).
    app_token = models.OneToOneField(
        IdToken,
        verbose_name=_("app token"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="app_of",
    )
    notify_session_started = models.BooleanField(_("session started"), default=True)
    notify_charging_finished = models.BooleanField(
        _("charging finished (power dropped)"), default=True
    )
    # Tell when the car's state of charge reaches this percent; null: never.
    notify_soc_percent = models.PositiveSmallIntegerField(
        _("state of charge reached (%)"), null=True, blank=True
    )
    notify_session_ended = models.BooleanField(_("session ended, with its total"), default=True)
    # Tell when the car stays plugged in this long after charging finished; null: never.
    notify_idle_minutes = models.PositiveIntegerField(
        _("idle after charging (minutes)"), null=True, blank=True
    )
    email_notifications = models.BooleanField(_("also by email"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("driver profile")
        verbose_name_plural = _("driver profiles")

    def __str__(self) -> str:
        return str(self.user)
