"""The driver's profile: name, phone and notification preferences."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.accounts.exceptions import ProfileInvalid
from backoffice.accounts.models import DriverProfile
from backoffice.accounts.services import drivers

from .common import UNAUTHENTICATED

TAGS = ["me: profile"]


class MeProfileOutput(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email", help_text="Change it in the portal.")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    phone = serializers.CharField()
    app_token = serializers.CharField(
        source="app_token.id_token",
        allow_null=True,
        default=None,
        help_text="The token your remote starts use (made on your first start).",
    )
    notify_session_started = serializers.BooleanField()
    notify_charging_finished = serializers.BooleanField(help_text="When the power dropped.")
    notify_soc_percent = serializers.IntegerField(
        allow_null=True, help_text="When the car's state of charge reaches it; null: never."
    )
    notify_session_ended = serializers.BooleanField(help_text="With its total.")
    notify_idle_minutes = serializers.IntegerField(
        allow_null=True, help_text="When the car stays plugged in this long after; null: never."
    )
    email_notifications = serializers.BooleanField(help_text="Also by email.")


class MeProfileInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=DriverProfile._meta.get_field("phone").max_length,
        required=False,
        allow_blank=True,
    )
    notify_session_started = serializers.BooleanField(required=False)
    notify_charging_finished = serializers.BooleanField(required=False)
    notify_soc_percent = serializers.IntegerField(required=False, allow_null=True)
    notify_session_ended = serializers.BooleanField(required=False)
    notify_idle_minutes = serializers.IntegerField(required=False, allow_null=True)
    email_notifications = serializers.BooleanField(required=False)


class ProfileApi(APIView):
    @extend_schema(
        operation_id="me_profile_retrieve",
        summary="Your profile and notification preferences.",
        responses={200: MeProfileOutput, 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        profile = drivers.ensure_profile(request.user)
        return Response(MeProfileOutput(profile).data)

    @extend_schema(
        operation_id="me_profile_update",
        summary="Change your name, phone or notification preferences (the fields sent).",
        request=MeProfileInput,
        responses={
            200: MeProfileOutput,
            400: OpenApiResponse(description="A bad value: {field: [message]}."),
            401: UNAUTHENTICATED,
        },
        tags=TAGS,
    )
    def patch(self, request: Request) -> Response:
        wanted = MeProfileInput(data=request.data, partial=True)
        wanted.is_valid(raise_exception=True)
        try:
            profile = drivers.update_preferences(user=request.user, **wanted.validated_data)
        except ProfileInvalid as err:
            return Response(
                {err.field or "non_field_errors": [err.message]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(MeProfileOutput(profile).data)
