"""The driver's sessions: history, one session live, stop, limits, and starting one."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.errors import ErrorOutput
from backoffice.api.filters import SessionFilter
from backoffice.api.pagination import Pagination
from backoffice.portal import selectors
from backoffice.portal.models import DriverSession
from backoffice.portal.services import charging, limits
from stations.exceptions import CommandTimeout, StationNotConnected

from .common import (
    NOT_FOUND_SESSION,
    UNAUTHENTICATED,
    MeLimitsOutput,
    MeReasonErrorOutput,
    MeSessionOutput,
)

# The `reason` of a 409 for a start that did not happen, by its start status.
_START_REFUSALS: dict[str, str] = {
    DriverSession.StartStatus.REFUSED: "rejected",
    DriverSession.StartStatus.OFFLINE: "offline",
    DriverSession.StartStatus.ERROR: "error",
}
TAGS = ["me: sessions"]


class SessionListApi(APIView):
    FilterSerializer = SessionFilter

    @extend_schema(
        operation_id="me_sessions_list",
        summary="Your sessions, newest first, with energy, duration and cost.",
        parameters=[FilterSerializer],
        responses={200: MeSessionOutput(many=True), 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        sessions = selectors.history(request.user, **filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(sessions, request, view=self)
        views = selectors.views_of(page or [])
        return paginator.get_paginated_response(MeSessionOutput(views, many=True).data)


class SessionDetailApi(APIView):
    @extend_schema(
        operation_id="me_sessions_retrieve",
        summary="One of your sessions, live while it runs (power, energy, SoC, cost).",
        responses={200: MeSessionOutput, 401: UNAUTHENTICATED, 404: NOT_FOUND_SESSION},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(MeSessionOutput(selectors.session_for(request.user, pk)).data)


class MeStopOutput(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="The station will stop the session.")
    status = serializers.CharField(help_text="The station's answer (Accepted, Rejected).")
    command = serializers.IntegerField(source="command.pk", help_text="The remote stop's id.")


class SessionStopApi(APIView):
    @extend_schema(
        operation_id="me_sessions_stop",
        summary="Ask the station to stop one of your running sessions.",
        request=None,
        responses={
            200: MeStopOutput,
            401: UNAUTHENTICATED,
            404: NOT_FOUND_SESSION,
            409: OpenApiResponse(
                MeReasonErrorOutput, description="The session has ended, or the station is offline."
            ),
            504: OpenApiResponse(MeReasonErrorOutput, description="The station did not answer."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            result = charging.stop(user=request.user, transaction_pk=pk)
        except charging.ChargingUnavailable as err:
            return _refused(err.message, err.reason, status.HTTP_409_CONFLICT)
        except StationNotConnected:
            return _refused(charging.STOP_OFFLINE, "offline", status.HTTP_409_CONFLICT)
        except CommandTimeout:
            return _refused(charging.STOP_TIMEOUT, "timeout", status.HTTP_504_GATEWAY_TIMEOUT)
        return Response(MeStopOutput(result).data)


class MeLimitsInput(serializers.Serializer):
    energy_wh = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="Stop after this much energy (Wh); null or left out: no energy limit.",
    )
    minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Stop after this many minutes of the session.",
    )
    cost = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Stop at this cost (enforced once tariffs exist).",
    )


class SessionLimitsApi(APIView):
    @extend_schema(
        operation_id="me_sessions_limits",
        summary="Set the limits of one of your sessions (replaces the ones set before).",
        request=MeLimitsInput,
        responses={
            200: MeLimitsOutput,
            400: OpenApiResponse(description="A bad value: {field: [message]}."),
            401: UNAUTHENTICATED,
            404: NOT_FOUND_SESSION,
            409: OpenApiResponse(
                MeReasonErrorOutput,
                description="The session has ended or is being stopped for its limit.",
            ),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        tx = selectors.own_transaction(request.user, pk)
        wanted = MeLimitsInput(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            session = limits.set_limits(
                user=request.user,
                transaction_pk=tx.pk,
                energy_wh=wanted.validated_data.get("energy_wh"),
                minutes=wanted.validated_data.get("minutes"),
                cost=wanted.validated_data.get("cost"),
            )
        except DriverSession.DoesNotExist:
            # A session of the driver's that the portal does not follow (never linked).
            return _refused(str(charging.NOT_ACTIVE), "ended", status.HTTP_409_CONFLICT)
        except limits.LimitInvalid as err:
            if err.field:
                return Response({err.field: [err.message]}, status=status.HTTP_400_BAD_REQUEST)
            return _refused(err.message, "refused", status.HTTP_409_CONFLICT)
        return Response(MeLimitsOutput(session).data)


class MePendingStartOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The start's id (not a session id).")
    station = serializers.CharField(source="station.identity")
    evse_id = serializers.IntegerField(allow_null=True)
    connector_id = serializers.IntegerField(allow_null=True)
    start_status = serializers.ChoiceField(
        choices=DriverSession.StartStatus.choices,
        help_text=(
            "How the start went: requested (no answer yet), accepted (waiting for the car), "
            "refused, offline, timeout, error, not_started (accepted, the car never came)."
        ),
    )
    created_at = serializers.DateTimeField()
    limits = MeLimitsOutput(source="*")


class MeStartOutput(serializers.Serializer):
    accepted = serializers.BooleanField()
    message = serializers.CharField(help_text="What happens next, in words for the driver.")
    status = serializers.CharField(help_text="The station's answer.")
    start = MePendingStartOutput(
        source="driver_session",
        help_text="Pending until the car is plugged in; the session then shows in sessions/.",
    )


class MeStartInput(serializers.Serializer):
    station = serializers.CharField(help_text="The station id (as on its QR code).")
    evse_id = serializers.IntegerField(min_value=1)
    connector_id = serializers.IntegerField(min_value=1, default=1)
    limit_energy_wh = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, allow_null=True, help_text="Wh."
    )
    limit_minutes = serializers.IntegerField(required=False, allow_null=True)
    limit_cost = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Stored; enforced once tariffs exist.",
    )


class StartApi(APIView):
    @extend_schema(
        operation_id="me_start",
        summary="Start charging at a connector with your app token.",
        description=(
            "Checks the connector first (409 with `reason`: offline, occupied, faulted, "
            "unavailable, reserved, private, unknown, already_charging, app_token_blocked), then "
            "sends the remote start as you. 201: the station accepted. A start the station "
            "refused (reason `rejected` or `error`) or could not get (`offline`) is 409; no "
            "answer in time, 504. A limit out of range is 400 (`limit_<name>`)."
        ),
        request=MeStartInput,
        responses={
            201: MeStartOutput,
            400: OpenApiResponse(description="A bad value: {field: [message]}."),
            401: UNAUTHENTICATED,
            404: OpenApiResponse(ErrorOutput, description="No such station."),
            409: OpenApiResponse(MeReasonErrorOutput, description="Not started: see `reason`."),
            504: OpenApiResponse(MeReasonErrorOutput, description="The station did not answer."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        wanted = MeStartInput(data=request.data)
        wanted.is_valid(raise_exception=True)
        data = wanted.validated_data
        station = selectors.startable_station(data["station"])
        try:
            outcome = charging.start(
                user=request.user,
                station_id=station.pk,
                evse_id=data["evse_id"],
                connector_id=data["connector_id"],
                limit_energy_wh=data.get("limit_energy_wh"),
                limit_minutes=data.get("limit_minutes"),
                limit_cost=data.get("limit_cost"),
            )
        except charging.ChargingUnavailable as err:
            return _refused(err.message, err.reason, status.HTTP_409_CONFLICT)
        except limits.LimitInvalid as err:
            return Response(
                {f"limit_{err.field}": [err.message]}, status=status.HTTP_400_BAD_REQUEST
            )
        if outcome.accepted:
            return Response(MeStartOutput(outcome).data, status=status.HTTP_201_CREATED)
        started = outcome.driver_session.start_status
        if started == DriverSession.StartStatus.TIMEOUT:
            return _refused(outcome.message, "timeout", status.HTTP_504_GATEWAY_TIMEOUT)
        reason = _START_REFUSALS.get(started, "error")
        return _refused(outcome.message, reason, status.HTTP_409_CONFLICT)


class PendingStartListApi(APIView):
    @extend_schema(
        operation_id="me_starts_list",
        summary="Your starts the station accepted that wait for the car (no session yet).",
        responses={200: MePendingStartOutput(many=True), 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        starts = selectors.pending_starts(request.user)
        return Response(MePendingStartOutput(starts, many=True).data)


def _refused(message: object, reason: str, code: int) -> Response:
    return Response({"detail": str(message), "reason": reason}, status=code)
