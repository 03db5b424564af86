"""The driver's id tokens: list, add a card, name, block and unblock."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.accounts.exceptions import IdTokenChangeRefused, IdTokenInvalid
from backoffice.accounts.models import IdToken
from backoffice.accounts.services import driver_tokens
from backoffice.api.errors import ErrorOutput
from backoffice.portal import selectors

from .common import NOT_FOUND_TOKEN, UNAUTHENTICATED

TAGS = ["me: tokens"]
REFUSED = OpenApiResponse(ErrorOutput, description="Not allowed for this token (see detail).")


class MeTokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    id_token = serializers.CharField(help_text="The value the charger reads.")
    type = serializers.ChoiceField(choices=IdToken.Type.choices)
    label = serializers.CharField(help_text="Your name for it.")  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=IdToken.Status.choices)
    awaiting_approval = serializers.BooleanField(
        help_text="A card you added that an operator has not approved yet."
    )
    expires_at = serializers.DateTimeField(allow_null=True)
    is_app_token = serializers.SerializerMethodField(
        help_text="The token the portal and this API start charging with."
    )
    created_at = serializers.DateTimeField()

    def get_is_app_token(self, token: IdToken) -> bool:
        return hasattr(token, "app_of")


class MeTokenAddInput(serializers.Serializer):
    id_token = serializers.CharField(
        max_length=255, help_text="The number printed on the card (hex for RFID)."
    )
    type = serializers.ChoiceField(
        choices=[(value, IdToken.Type(value).label) for value in driver_tokens.DRIVER_TYPES]
    )
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=100, required=False, default="", allow_blank=True
    )


class TokenListApi(APIView):
    @extend_schema(
        operation_id="me_tokens_list",
        summary="Your id tokens (cards and app token).",
        responses={200: MeTokenOutput(many=True), 401: UNAUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        tokens = selectors.tokens_for(request.user).select_related("app_of")
        return Response(MeTokenOutput(tokens, many=True).data)

    @extend_schema(
        operation_id="me_tokens_create",
        summary="Add a card (it may wait for an operator's approval).",
        request=MeTokenAddInput,
        responses={
            201: MeTokenOutput,
            400: OpenApiResponse(description="A bad or taken value: {field: [message]}."),
            401: UNAUTHENTICATED,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        wanted = MeTokenAddInput(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            token = driver_tokens.add_card(user=request.user, **wanted.validated_data)
        except IdTokenInvalid as err:
            return Response(
                {err.field or "non_field_errors": [err.message]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(MeTokenOutput(token).data, status=status.HTTP_201_CREATED)


class MeTokenRenameInput(serializers.Serializer):
    label = serializers.CharField(max_length=100, allow_blank=True)  # type: ignore[assignment]


class TokenDetailApi(APIView):
    @extend_schema(
        operation_id="me_tokens_retrieve",
        summary="One of your id tokens.",
        responses={200: MeTokenOutput, 401: UNAUTHENTICATED, 404: NOT_FOUND_TOKEN},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(MeTokenOutput(selectors.token_for(request.user, pk)).data)

    @extend_schema(
        operation_id="me_tokens_rename",
        summary="Name one of your id tokens.",
        request=MeTokenRenameInput,
        responses={
            200: MeTokenOutput,
            400: OpenApiResponse(description="A bad value: {field: [message]}."),
            401: UNAUTHENTICATED,
            404: NOT_FOUND_TOKEN,
        },
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        token = selectors.token_for(request.user, pk)
        wanted = MeTokenRenameInput(data=request.data)
        wanted.is_valid(raise_exception=True)
        token = driver_tokens.rename(
            user=request.user, token_pk=token.pk, label=wanted.validated_data["label"]
        )
        return Response(MeTokenOutput(token).data)


class TokenBlockApi(APIView):
    @extend_schema(
        operation_id="me_tokens_block",
        summary="Block one of your id tokens (a lost card): chargers refuse it from now on.",
        request=None,
        responses={
            200: MeTokenOutput,
            401: UNAUTHENTICATED,
            404: NOT_FOUND_TOKEN,
            409: REFUSED,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        token = selectors.token_for(request.user, pk)
        try:
            token = driver_tokens.block(user=request.user, token_pk=token.pk)
        except IdTokenChangeRefused as err:
            return Response({"detail": err.message}, status=status.HTTP_409_CONFLICT)
        return Response(MeTokenOutput(token).data)


class TokenUnblockApi(APIView):
    @extend_schema(
        operation_id="me_tokens_unblock",
        summary="Unblock one of your id tokens (only a block you made yourself).",
        request=None,
        responses={
            200: MeTokenOutput,
            401: UNAUTHENTICATED,
            404: NOT_FOUND_TOKEN,
            409: REFUSED,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        token = selectors.token_for(request.user, pk)
        try:
            token = driver_tokens.unblock(user=request.user, token_pk=token.pk)
        except IdTokenChangeRefused as err:
            return Response({"detail": err.message}, status=status.HTTP_409_CONFLICT)
        return Response(MeTokenOutput(token).data)
