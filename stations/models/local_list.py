"""Local authorization lists: which id tokens each station may accept on its own, offline.

The back office keeps the list it wants on the station (`LocalListEntry.wanted`) next to what
the station holds as of its last accepted SendLocalList (`LocalListEntry.sent_info`), so a
differential update sends exactly the difference.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commands import Command
from .stations import Station


class LocalAuthList(models.Model):
    """One station's local list: the version it confirmed and the last send's outcome."""

    station = models.OneToOneField(Station, on_delete=models.CASCADE, related_name="local_list")
    # The version of the last list the station accepted; 0: nothing accepted yet.
    version = models.PositiveIntegerField(_("confirmed version"), default=0)
    # What the station said in its last GetLocalListVersion answer (1.6: -1 = not supported).
    station_version = models.IntegerField(_("version the station reported"), null=True, blank=True)
    station_version_at = models.DateTimeField(null=True, blank=True)
    last_update_type = models.CharField(max_length=12, blank=True)
    # Accepted, Failed, NotSupported, VersionMismatch, or empty for no answer.
    last_status = models.CharField(max_length=20, blank=True)
    last_command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # Set while a SendLocalList is out: a second send would race the first one's version.
    sending_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("local authorization list")
        verbose_name_plural = _("local authorization lists")

    def __str__(self) -> str:
        return f"{self.station} v{self.version}"


class LocalListEntry(models.Model):
    """An id token on (or leaving) a station's local list."""

    local_list = models.ForeignKey(LocalAuthList, on_delete=models.CASCADE, related_name="entries")
    # Null once the token is deleted: the entry then leaves the station with the next send.
    id_token = models.ForeignKey(
        "accounts.IdToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="local_list_entries",
    )
    # The value the station knows the token by, kept to remove it after the token is deleted.
    id_tag = models.CharField(_("id token"), max_length=255)
    # False: to be removed from the station with the next send.
    wanted = models.BooleanField(default=True)
    # What the station holds for this token ({"type", "status", "expires_at", "group",
    # "group_type"}) since the last accepted send; null: not on the station's list.
    sent_info = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["local_list", "id_tag"]
        constraints = [
            models.UniqueConstraint(fields=["local_list", "id_tag"], name="local_list_entry_unique")
        ]
        verbose_name = _("local list entry")
        verbose_name_plural = _("local list entries")

    def __str__(self) -> str:
        return self.id_tag
