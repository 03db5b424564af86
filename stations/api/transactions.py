"""Charging sessions of every OCPP version, with their meter values."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.errors import ErrorOutput
from backoffice.api.filters import SessionFilter
from backoffice.api.pagination import Pagination, paginated
from stations import selectors
from stations.models import Transaction


def _energy(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=3, allow_null=True, **kwargs)


class TransactionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    station = serializers.CharField(source="station.identity")
    transaction_id = serializers.CharField(help_text="The station's id (1.6: ours, a number).")
    state = serializers.ChoiceField(choices=Transaction.State.choices)
    evse_id = serializers.IntegerField(source="evse.evse_id", allow_null=True, default=None)
    connector_id = serializers.IntegerField(
        source="connector.connector_id", allow_null=True, default=None
    )
    id_tag = serializers.CharField(help_text="The id token that started it.")
    started_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    meter_start_wh = _energy()
    meter_stop_wh = _energy()
    energy_wh = _energy(help_text="Delivered to the vehicle.")
    energy_export_wh = _energy(help_text="Given back by the vehicle (V2X).")
    charging_state = serializers.CharField(help_text="2.x: Charging, SuspendedEV, Idle...")
    stop_reason = serializers.CharField()
    anomalies = serializers.JSONField(help_text="Oddities seen (stop without start...).")


class TransactionListApi(APIView):
    pagination_class = Pagination

    FilterSerializer = SessionFilter

    @extend_schema(
        operation_id="transactions_list",
        summary="Sessions you can see, newest first.",
        parameters=[FilterSerializer],
        responses={200: TransactionOutput(many=True)},
        tags=["transactions"],
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        transactions = selectors.transactions_for(user=request.user)
        if "station" in wanted:
            transactions = transactions.filter(station__identity=wanted["station"])
        if "state" in wanted:
            transactions = transactions.filter(state=wanted["state"])
        if "started_after" in wanted:
            transactions = transactions.filter(started_at__gte=wanted["started_after"])
        if "started_before" in wanted:
            transactions = transactions.filter(started_at__lt=wanted["started_before"])
        transactions = transactions.order_by("-started_at", "-pk")
        return paginated(self, request, transactions, TransactionOutput)


class MeterValueOutput(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    evse_id = serializers.IntegerField()
    connector_id = serializers.IntegerField(allow_null=True)
    sampled_values = serializers.JSONField(
        help_text="[{value, measurand, phase, location, unit, context, format}, ...]"
    )
    after_stop = serializers.BooleanField(help_text="Arrived after the session had ended.")


class TransactionEventOutput(serializers.Serializer):
    seq_no = serializers.IntegerField()
    event_type = serializers.CharField()
    trigger_reason = serializers.CharField()
    timestamp = serializers.DateTimeField()
    offline = serializers.BooleanField()
    charging_state = serializers.CharField()


class TransactionDetailApi(APIView):
    @extend_schema_serializer(component_name="TransactionDetail")
    class OutputSerializer(TransactionOutput):
        stop_id_tag = serializers.CharField()
        export_start_wh = _energy()
        export_stop_wh = _energy()
        reservation_id = serializers.IntegerField(allow_null=True)
        remote_start_id = serializers.IntegerField(allow_null=True)
        remote_start_command = serializers.IntegerField(
            source="remote_start_command_id",
            allow_null=True,
            help_text="The command (id) that asked for this session.",
        )
        meter_values = MeterValueOutput(many=True, source="meter_values.all")
        events = TransactionEventOutput(
            many=True, source="events.all", help_text="2.x TransactionEvents, by seqNo."
        )

    @extend_schema(
        operation_id="transactions_retrieve",
        summary="One session with its meter values and (2.x) events.",
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(ErrorOutput, description="No such session in your scope."),
        },
        tags=["transactions"],
    )
    def get(self, request: Request, transaction_id: int) -> Response:
        transaction = selectors.transaction_for(user=request.user, pk=transaction_id)
        return Response(self.OutputSerializer(transaction).data)
