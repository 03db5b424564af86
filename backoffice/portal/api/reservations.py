"""The driver's reservations (made for one of their id tokens): list, one, cancel."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.errors import ErrorOutput
from backoffice.api.pagination import Pagination
from backoffice.portal import reservation_selectors
from backoffice.portal.services.charging import CALLER_LABEL
from reservations.models import Reservation
from reservations.services import reservations
from stations.exceptions import CommandInvalid, CommandTimeout, StationNotConnected
from stations.services.commands.bus import Caller

from .common import UNAUTHENTICATED, MeReasonErrorOutput

TAGS = ["me: reservations"]
NOT_FOUND_RESERVATION = OpenApiResponse(ErrorOutput, description="No such reservation of yours.")
ENDED = "This reservation has already ended: there is nothing to cancel."
CANCEL_OFFLINE = "The charger is offline: the reservation ends by itself at its expiry."
CANCEL_TIMEOUT = "The charger did not answer in time: look at the reservation again in a moment."


class MeReservationOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="Ours (use it in URLs).")
    station = serializers.CharField(source="station.identity")
    station_name = serializers.CharField(source="station.name")
    site = serializers.CharField(source="station.site.name", allow_null=True, default=None)
    evse_id = serializers.IntegerField(allow_null=True, help_text="null: any EVSE of the station.")
    connector_type = serializers.CharField(help_text="2.x: the connector type held, if any.")
    id_token = serializers.CharField(source="id_tag", help_text="Your token it is held for.")
    status = serializers.ChoiceField(choices=Reservation.Status.choices)
    active = serializers.BooleanField(help_text="Still holding the EVSE (requested, accepted).")
    expires_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    session = serializers.SerializerMethodField(
        help_text="The session (id in sessions/) it was used for, if any."
    )

    def get_session(self, reservation: Reservation) -> int | None:
        return reservation_selectors.session_of(self.context["user"], reservation)


class ReservationListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        active = serializers.BooleanField(
            required=False,
            allow_null=True,
            default=None,
            help_text="true: only those still holding; false: only ended ones.",
        )

    @extend_schema(
        operation_id="me_reservations_list",
        summary="Your reservations (made for your id tokens), newest first.",
        parameters=[FilterSerializer],
        responses={200: MeReservationOutput(many=True), 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = reservation_selectors.reservations_for(
            request.user, active=filters.validated_data["active"]
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(found, request, view=self)
        output = MeReservationOutput(page, many=True, context={"user": request.user})
        return paginator.get_paginated_response(output.data)


class ReservationDetailApi(APIView):
    @extend_schema(
        operation_id="me_reservations_retrieve",
        summary="One of your reservations.",
        responses={200: MeReservationOutput, 401: UNAUTHENTICATED, 404: NOT_FOUND_RESERVATION},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        reservation = reservation_selectors.reservation_for(request.user, pk)
        return Response(MeReservationOutput(reservation, context={"user": request.user}).data)


class MeCancelOutput(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="The station dropped the reservation.")
    status = serializers.CharField(help_text="The station's answer (Accepted, Rejected).")
    command = serializers.IntegerField(source="command.pk", help_text="The command's id.")
    reservation = MeReservationOutput(help_text="The reservation after the answer.")


class ReservationCancelApi(APIView):
    @extend_schema(
        operation_id="me_reservations_cancel",
        summary="Cancel one of your active reservations at the station.",
        description=(
            "Sends CancelReservation as you. 200 with the station's answer: Accepted cancels "
            "the reservation; Rejected means the station no longer holds it (it ends at its "
            "expiry). 409 (`reason`): `ended` (nothing to cancel), `offline`; 504 `timeout`."
        ),
        request=None,
        responses={
            200: MeCancelOutput,
            401: UNAUTHENTICATED,
            404: NOT_FOUND_RESERVATION,
            409: OpenApiResponse(
                MeReasonErrorOutput, description="Ended already, or the station is offline."
            ),
            504: OpenApiResponse(MeReasonErrorOutput, description="The station did not answer."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        reservation = reservation_selectors.reservation_for(request.user, pk)
        try:
            result = reservations.cancel(
                station_id=reservation.station_id,
                reservation_id=reservation.reservation_id,
                caller=Caller(user=request.user, label=CALLER_LABEL),
            )
        except CommandInvalid:
            # The one refusal before sending: it is no longer active.
            return _refused(ENDED, "ended", status.HTTP_409_CONFLICT)
        except StationNotConnected:
            return _refused(CANCEL_OFFLINE, "offline", status.HTTP_409_CONFLICT)
        except CommandTimeout:
            return _refused(CANCEL_TIMEOUT, "timeout", status.HTTP_504_GATEWAY_TIMEOUT)
        output = MeCancelOutput(result, context={"user": request.user})
        return Response(output.data)


def _refused(message: str, reason: str, code: int) -> Response:
    return Response({"detail": message, "reason": reason}, status=code)
