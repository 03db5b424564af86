"""Commands to stations: one POST per registered command, and reading them back.

`POST /api/v1/stations/<identity>/commands/<name>/` is one documented operation per
`CommandSpec` (`command_views()` makes a view class for each), all running `CommandApi.post`:
404 outside the caller's scope, 403 for a role that may not command, 400 for a bad body or a
command the station's OCPP version does not offer, 409 when the station is offline, 503 when
the server process holding its socket cannot be reached (Redis down; nothing sent, the command
closed as failed), 504 when it did not answer in time, else 200 with the command record and
its result (also for a CALLERROR: `command.state` says so).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backoffice.api.errors import ErrorOutput
from stations import selectors
from stations.api.registry import CommandSpec
from stations.exceptions import (
    CommandError,
    CommandTimeout,
    StationNotConnected,
    StationUnreachable,
)
from stations.services.commands import adapters
from stations.services.commands.bus import Caller

from .common import CommandFailureOutput, CommandOutput

ROLE_CANNOT_COMMAND = "Your role does not allow sending commands to stations."
COMMAND_NOT_FOR_VERSION = "This station speaks OCPP {version}, which has no {name} command."
UNKNOWN_COMMAND = "There is no command named {name}."
# The label commands sent through the API carry (with the user who asked).
CALLER_LABEL = "api"


class OutcomeOutput(serializers.Serializer):
    command = CommandOutput()
    result = serializers.DictField(
        help_text="What the station answered, per command (e.g. status); "
        "empty values after a CALLERROR."
    )


class OptionsSerializer(serializers.Serializer):
    timeout = serializers.FloatField(
        required=False,
        min_value=1,
        max_value=settings.API_COMMAND_TIMEOUT_MAX,
        help_text="Seconds the station is given to answer (default OCPP_RESPONSE_TIMEOUT).",
    )


class CommandApi(APIView):
    """Send one registered command; subclasses name it with `spec`."""

    spec: CommandSpec

    def post(self, request: Request, identity: str) -> Response:
        station = selectors.station_for(user=request.user, identity=identity)
        if not selectors.can_command(user=request.user, station=station):
            raise PermissionDenied(ROLE_CANNOT_COMMAND)
        options = OptionsSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        # A station that never connected has no version yet: it is spoken to in the default.
        version = station.ocpp_version or adapters.DEFAULT_VERSION
        if version not in self.spec.versions:
            raise ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        COMMAND_NOT_FOR_VERSION.format(version=version, name=self.spec.name)
                    ]
                }
            )
        body = self.spec.input(data=request.data)
        body.is_valid(raise_exception=True)
        caller = Caller(
            user=request.user, label=CALLER_LABEL, timeout=options.validated_data.get("timeout")
        )
        try:
            outcome = self.spec.service(station_id=station.pk, caller=caller, **body.validated_data)
        except StationUnreachable as err:
            return _failure(err, status.HTTP_503_SERVICE_UNAVAILABLE)
        except StationNotConnected as err:
            return _failure(err, status.HTTP_409_CONFLICT)
        except CommandTimeout as err:
            return _failure(err, status.HTTP_504_GATEWAY_TIMEOUT)
        except CommandError as err:
            # CommandInvalid, and any other refusal of the request's content by a service.
            raise ValidationError(
                {err.field or api_settings.NON_FIELD_ERRORS_KEY: [err.message]}
            ) from None
        return Response(
            OutcomeOutput({"command": outcome.command, "result": self.spec.result_of(outcome)}).data
        )


def _failure(err: StationNotConnected | CommandTimeout, code: int) -> Response:
    return Response(
        CommandFailureOutput({"detail": err.message, "command": err.command}).data, code
    )


def command_views(specs: dict[str, CommandSpec]) -> dict[str, type[CommandApi]]:
    """One view class per command, each documented with its own input and summary."""
    views: dict[str, type[CommandApi]] = {}
    for name, spec in specs.items():
        class_name = "".join(part.title() for part in name.replace("_", "-").split("-"))
        views[name] = type(
            f"{class_name}CommandApi",
            (CommandApi,),
            {"spec": spec, "post": _documented(spec)(_post())},
        )
    return views


def _post() -> Any:
    # A function of its own per view: the schema annotation is stored on the function.
    def post(self: CommandApi, request: Request, identity: str) -> Response:
        return CommandApi.post(self, request, identity)

    return post


def _documented(spec: CommandSpec) -> Any:
    return extend_schema(
        operation_id=f"stations_commands_{spec.name.replace('-', '_')}",
        summary=spec.summary,
        description=f"OCPP versions: {', '.join(sorted(spec.versions))}.",
        request=spec.input,
        parameters=[OptionsSerializer],
        responses={
            200: OutcomeOutput,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Field errors, {field: [message]}: nothing was sent.",
            ),
            403: OpenApiResponse(ErrorOutput, description=ROLE_CANNOT_COMMAND),
            404: OpenApiResponse(ErrorOutput, description="No such station in your scope."),
            409: OpenApiResponse(CommandFailureOutput, description="The station is offline."),
            503: OpenApiResponse(
                CommandFailureOutput,
                description="The server process holding the station's socket cannot be "
                "reached (channel layer unavailable): nothing was sent, the command failed.",
            ),
            504: OpenApiResponse(
                CommandFailureOutput, description="The station did not answer in time."
            ),
        },
        tags=["commands"],
    )


class UnknownCommandApi(APIView):
    """Any other command name: 404 naming it (after the station's own scope check)."""

    @extend_schema(exclude=True)
    def post(self, request: Request, identity: str, name: str) -> Response:
        selectors.station_for(user=request.user, identity=identity)
        raise NotFound(UNKNOWN_COMMAND.format(name=name))


class CommandDetailApi(APIView):
    @extend_schema(
        operation_id="commands_retrieve",
        summary="One command and its outcome.",
        responses={
            200: CommandOutput,
            404: OpenApiResponse(ErrorOutput, description="No such command in your scope."),
        },
        tags=["commands"],
    )
    def get(self, request: Request, command_id: int) -> Response:
        command = selectors.command_for(user=request.user, pk=command_id)
        return Response(CommandOutput(command).data)
