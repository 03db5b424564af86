"""The driver's notifications: list them, mark them read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.pagination import Pagination, paginated
from backoffice.portal import selectors
from backoffice.portal.models import Notification
from backoffice.portal.services import notifications

from .common import NOT_FOUND_NOTIFICATION, UNAUTHENTICATED

TAGS = ["me: notifications"]


class MeNotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    session = serializers.IntegerField(
        source="driver_session.transaction_id",
        allow_null=True,
        default=None,
        help_text="The session (id in sessions/) it is about, if any.",
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MeMarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are read now.")


class NotificationListApi(APIView):
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False, help_text="Only unread.")

    @extend_schema(
        operation_id="me_notifications_list",
        summary="Your notifications, newest first.",
        parameters=[FilterSerializer],
        responses={200: MeNotificationOutput(many=True), 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        listed = selectors.notifications_for(
            request.user, unread=filters.validated_data["unread"]
        ).select_related("driver_session")
        return paginated(self, request, listed, MeNotificationOutput)


class NotificationReadAllApi(APIView):
    @extend_schema(
        operation_id="me_notifications_read_all",
        summary="Mark all your notifications read.",
        request=None,
        responses={200: MeMarkedOutput, 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": notifications.mark_read(user=request.user)})


class NotificationReadApi(APIView):
    @extend_schema(
        operation_id="me_notifications_read",
        summary="Mark one of your notifications read.",
        request=None,
        responses={200: MeMarkedOutput, 401: UNAUTHENTICATED, 404: NOT_FOUND_NOTIFICATION},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        # Found first: another user's id is a 404 (not probed), not "0 marked".
        notification = selectors.notification_for(request.user, pk)
        return Response({"marked": notifications.mark_read(user=request.user, pk=notification.pk)})
