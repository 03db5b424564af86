"""Reads of the remote commands panel of the station page: what its forms offer."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import Max, Q

from backoffice.accounts.models import IdToken
from backoffice.accounts.selectors import id_tokens_for
from stations.models import (
    ChargingProfile,
    DisplayMessage,
    FirmwareFile,
    Station,
    Transaction,
)

# --- remote commands panel (station page) ----------------------------------------------------
# What the command forms offer to pick from; each list is one query, read only when a form
# asks for it (a POST builds one form).

ID_TOKEN_SUGGESTIONS = 20
FIRMWARE_CHOICES = 50


class CommandOptions:
    """The station's EVSEs (from `station_for`'s prefetch), running sessions, installed
    charging profiles, display messages and the firmware files. (The reservations app's
    forms read its reservations themselves.)"""

    def __init__(self, station: Station) -> None:
        self.station = station

    @cached_property
    def evses(self) -> list[tuple[int, list[int]]]:
        return [
            (evse.evse_id, [connector.connector_id for connector in evse.connectors.all()])
            for evse in self.station.evses.all()
        ]

    @cached_property
    def sessions(self) -> list[Transaction]:
        return list(
            Transaction.objects.filter(station=self.station, state=Transaction.State.ACTIVE)
            .select_related("evse")
            .order_by("-started_at", "-pk")
        )

    @cached_property
    def installed_profiles(self) -> list[ChargingProfile]:
        return list(
            ChargingProfile.objects.filter(
                station=self.station, state=ChargingProfile.State.INSTALLED
            ).order_by("evse_id", "profile_id")
        )

    @cached_property
    def next_profile_id(self) -> int:
        """A charging profile id the station has not been given yet."""
        highest = ChargingProfile.objects.filter(station=self.station).aggregate(
            highest=Max("profile_id")
        )["highest"]
        return (highest or 0) + 1

    @cached_property
    def display_messages(self) -> list[DisplayMessage]:
        return list(
            DisplayMessage.objects.filter(station=self.station)
            .exclude(status=DisplayMessage.Status.CLEARED)
            .order_by("message_id")
        )

    @cached_property
    def firmware_files(self) -> list[FirmwareFile]:
        return list(FirmwareFile.objects.order_by("-uploaded_at")[:FIRMWARE_CHOICES])


def id_tokens_matching(*, user: Any, query: str) -> list[IdToken]:
    """Id tokens the user sees whose value or label contains `query` (the first ones by value)."""
    query = query.strip()
    if not query:
        return []
    return list(
        id_tokens_for(user=user)
        .filter(Q(id_token__icontains=query) | Q(label__icontains=query))
        .only("id_token", "label")
        .order_by("id_token")[:ID_TOKEN_SUGGESTIONS]
    )
