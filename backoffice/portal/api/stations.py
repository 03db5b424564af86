"""Where a driver can charge: sites, their stations, and each connector's state."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.errors import ErrorOutput
from backoffice.portal import selectors
from backoffice.portal.services import charging

from .common import UNAUTHENTICATED

TAGS = ["me: charging"]


class MeConnectorStateOutput(serializers.Serializer):
    evse_id = serializers.IntegerField()
    connector_id = serializers.IntegerField()
    status = serializers.CharField(help_text="As the station reported it.")
    startable = serializers.BooleanField(help_text="You can start charging here now.")
    reason = serializers.CharField(
        help_text="available, offline, occupied, faulted, unavailable, reserved, private, unknown."
    )
    message = serializers.CharField(help_text="The state in words for the driver.")


class MeStationStateOutput(serializers.Serializer):
    identity = serializers.CharField()
    name = serializers.CharField()
    site = serializers.CharField(source="site.name", allow_null=True, default=None)
    online = serializers.BooleanField()
    connectors = MeConnectorStateOutput(many=True)


class MeStationSummaryOutput(serializers.Serializer):
    identity = serializers.CharField()
    name = serializers.CharField()
    online = serializers.BooleanField()


class MeSiteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    stations = MeStationSummaryOutput(many=True)


class SiteListApi(APIView):
    @extend_schema(
        operation_id="me_sites_list",
        summary="The sites with stations you can start charging at, and their stations.",
        responses={200: MeSiteOutput(many=True), 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        sites = [
            {
                "id": site.pk,
                "name": site.name,
                "address": site.address,
                "stations": selectors.startable_stations(site),
            }
            for site in selectors.startable_sites()
        ]
        return Response(MeSiteOutput(sites, many=True).data)


class StationApi(APIView):
    @extend_schema(
        operation_id="me_stations_retrieve",
        summary="A station's connectors and whether you can start at each (the QR code's link).",
        responses={
            200: MeStationStateOutput,
            401: UNAUTHENTICATED,
            404: OpenApiResponse(ErrorOutput, description="No such station."),
        },
        tags=TAGS,
    )
    def get(self, request: Request, identity: str) -> Response:
        station = selectors.startable_station(identity)
        states = [
            charging.connector_state(
                station_id=station.pk,
                evse_id=connector.evse.evse_id,
                connector_id=connector.connector_id,
                user=request.user,
            )
            for connector in selectors.startable_connectors(station)
        ]
        online = states[0].online if states else charging.is_online(station.pk)
        return Response(
            MeStationStateOutput(
                {
                    "identity": station.identity,
                    "name": station.name,
                    "site": station.site,
                    "online": online,
                    "connectors": states,
                }
            ).data
        )
