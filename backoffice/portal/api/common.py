"""What the driver API's views share: session output, error bodies, common responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from backoffice.api.errors import ErrorOutput
from backoffice.portal.selectors import SessionView
from stations.models import Transaction


def energy(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=3, allow_null=True, **kwargs)


class MeReasonErrorOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in words for the driver.")
    reason = serializers.CharField(help_text="A stable code for programs (offline, occupied...).")


class MeLimitsOutput(serializers.Serializer):
    energy_wh = serializers.DecimalField(
        source="limit_energy_wh", max_digits=12, decimal_places=1, allow_null=True
    )
    minutes = serializers.IntegerField(source="limit_minutes", allow_null=True)
    cost = serializers.DecimalField(
        source="limit_cost",
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="Stored; enforced once tariffs exist.",
    )
    reached = serializers.CharField(
        source="limit_reached", help_text="energy, duration or cost once a limit stopped it."
    )
    reached_at = serializers.DateTimeField(source="limit_reached_at", allow_null=True)


class MeSessionOutput(serializers.Serializer):
    """One of the driver's sessions (a SessionView), live while it runs."""

    id = serializers.IntegerField(source="transaction.pk", help_text="Ours (use it in URLs).")
    station = serializers.CharField(source="transaction.station.identity")
    station_name = serializers.CharField(source="transaction.station.name")
    site = serializers.CharField(
        source="transaction.station.site.name", allow_null=True, default=None
    )
    evse_id = serializers.IntegerField(
        source="transaction.evse.evse_id", allow_null=True, default=None
    )
    connector_id = serializers.IntegerField(
        source="transaction.connector.connector_id", allow_null=True, default=None
    )
    state = serializers.ChoiceField(source="transaction.state", choices=Transaction.State.choices)
    id_tag = serializers.CharField(
        source="transaction.id_tag", help_text="Your token it charged with."
    )
    started_at = serializers.DateTimeField(source="transaction.started_at", allow_null=True)
    stopped_at = serializers.DateTimeField(source="transaction.stopped_at", allow_null=True)
    stop_reason = serializers.CharField(source="transaction.stop_reason")
    energy_wh = energy(help_text="Delivered so far (running) or in all.")
    duration_seconds = serializers.SerializerMethodField()
    soc_percent = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="The car's newest state of charge, when it reports one.",
    )
    power_w = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        allow_null=True,
        help_text="Newest charging power (running sessions only).",
    )
    cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="So far, gross; null until tariffs exist.",
    )
    limits = MeLimitsOutput(source="driver_session", allow_null=True)

    def get_duration_seconds(self, view: SessionView) -> int | None:
        return None if view.duration is None else int(view.duration.total_seconds())


NOT_FOUND_SESSION = OpenApiResponse(ErrorOutput, description="No such session of yours.")
NOT_FOUND_TOKEN = OpenApiResponse(ErrorOutput, description="No such id token of yours.")
NOT_FOUND_NOTIFICATION = OpenApiResponse(ErrorOutput, description="No such notification of yours.")
UNAUTHENTICATED = OpenApiResponse(ErrorOutput, description="Not signed in.")
