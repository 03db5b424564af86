"""What the API views share: pagination and the output of a command."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stations.models import Command


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    output: type[serializers.Serializer],
) -> Response:
    """One page of `queryset` rendered by `output`, with count and next/previous links."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(output(page, many=True).data)


class CommandOutput(serializers.Serializer):
    """A command as the bus recorded it."""

    id = serializers.IntegerField()
    station = serializers.CharField(source="station.identity")
    action = serializers.CharField(help_text="The OCPP action sent (e.g. RequestStartTransaction).")
    payload = serializers.JSONField(help_text="The request as sent, in OCPP JSON.")
    state = serializers.ChoiceField(choices=Command.State.choices)
    response = serializers.JSONField(allow_null=True, help_text="The station's answer.")
    result_status = serializers.CharField(help_text="The answer's status, when it has one.")
    error_code = serializers.CharField(help_text="The CALLERROR's code, when it was one.")
    error_description = serializers.CharField()
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)
    actor_label = serializers.CharField()
    timeout_seconds = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField()


class CommandFailureOutput(serializers.Serializer):
    detail = serializers.CharField()
    command = CommandOutput()
