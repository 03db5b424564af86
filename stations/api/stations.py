"""Stations and their live status."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.errors import ErrorOutput
from backoffice.api.pagination import Pagination, paginated
from stations import selectors
from stations.models import Station

from .common import CommandOutput

NOT_FOUND = OpenApiResponse(ErrorOutput, description="No station with this id in your scope.")


class ConnectorOutput(serializers.Serializer):
    connector_id = serializers.IntegerField()
    status = serializers.CharField(help_text="Available, Occupied, Charging, Faulted...")
    error_code = serializers.CharField()
    info = serializers.CharField()
    status_at = serializers.DateTimeField(allow_null=True, help_text="The station's own time.")


class EvseOutput(serializers.Serializer):
    evse_id = serializers.IntegerField()
    connectors = ConnectorOutput(many=True)


class SiteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StationOutput(serializers.Serializer):
    identity = serializers.CharField(help_text="The station id it connects with.")
    name = serializers.CharField()
    site = SiteOutput(allow_null=True)
    online = serializers.BooleanField(help_text="A server process holds its socket now.")
    ocpp_version = serializers.CharField(help_text="1.6, 2.0.1 or 2.1 (empty: never connected).")
    registration_status = serializers.CharField()
    is_active = serializers.BooleanField()
    status = serializers.CharField(help_text="The station as a whole (OCPP 1.6 connector 0).")
    vendor = serializers.CharField()
    model = serializers.CharField()
    firmware_version = serializers.CharField()
    last_boot_at = serializers.DateTimeField(allow_null=True)
    last_seen_at = serializers.DateTimeField(
        allow_null=True, help_text="Written in batches: up to a heartbeat-flush old."
    )
    evses = EvseOutput(many=True, source="evses.all")


class StationListApi(APIView):
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        site = serializers.IntegerField(required=False, help_text="Only this site's stations.")
        online = serializers.BooleanField(
            required=False, allow_null=True, default=None, help_text="Only online (or offline)."
        )

    @extend_schema(
        operation_id="stations_list",
        summary="List the stations you can see, with their live status.",
        parameters=[FilterSerializer],
        responses={200: StationOutput(many=True)},
        tags=["stations"],
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        stations = selectors.station_list_for(
            user=request.user,
            site_id=filters.validated_data.get("site"),
            online=filters.validated_data["online"],
        )
        return paginated(self, request, stations, StationOutput)


class ConnectionOutput(serializers.Serializer):
    ocpp_version = serializers.CharField(help_text="The version negotiated on this socket.")
    connected_at = serializers.DateTimeField()


class StationDetailApi(APIView):
    @extend_schema_serializer(component_name="StationDetail")
    class OutputSerializer(StationOutput):
        serial_number = serializers.CharField()
        charge_box_serial_number = serializers.CharField()
        security_profile = serializers.IntegerField()
        error_code = serializers.CharField()
        status_at = serializers.DateTimeField(allow_null=True)
        last_boot_reason = serializers.CharField()
        connection = serializers.SerializerMethodField()

        @extend_schema_field(ConnectionOutput(allow_null=True))
        def get_connection(self, station: Station) -> dict[str, Any] | None:
            # `connection` may name a dead process's socket: only a live one is shown.
            if not getattr(station, "online", False):
                return None
            return ConnectionOutput(station.connection).data

    @extend_schema(
        operation_id="stations_retrieve",
        summary="One station with its live status, EVSEs and connectors.",
        responses={200: OutputSerializer, 404: NOT_FOUND},
        tags=["stations"],
    )
    def get(self, request: Request, identity: str) -> Response:
        station = selectors.station_for(user=request.user, identity=identity)
        return Response(self.OutputSerializer(station).data)


class StationCommandListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="stations_commands_list",
        summary="The commands sent to a station, newest first.",
        responses={200: CommandOutput(many=True), 404: NOT_FOUND},
        tags=["commands"],
    )
    def get(self, request: Request, identity: str) -> Response:
        station = selectors.station_for(user=request.user, identity=identity)
        commands = selectors.commands_for(user=request.user).filter(station=station)
        return paginated(self, request, commands, CommandOutput)
