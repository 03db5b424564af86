"""What the operator API's views share: the output of a command (pagination and error bodies
are shared with the drivers' API in `backoffice.api`)."""

from __future__ import annotations

from rest_framework import serializers

from stations.models import Command


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


class CommandFailureOutput(serializers.Serializer):
    detail = serializers.CharField()
    command = CommandOutput()
