"""Query filters more than one list takes."""

from __future__ import annotations

from rest_framework import serializers

from stations.models import Transaction

STARTED_AFTER_BEFORE = "started_after must be before started_before."


class SessionFilter(serializers.Serializer):
    """The filters of a session list (staff: /transactions/, drivers: /me/sessions/)."""

    station = serializers.CharField(required=False, help_text="A station id.")
    state = serializers.ChoiceField(choices=Transaction.State.choices, required=False)
    started_after = serializers.DateTimeField(required=False)
    started_before = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict) -> dict:
        after, before = attrs.get("started_after"), attrs.get("started_before")
        if after and before and after >= before:
            raise serializers.ValidationError({"started_after": STARTED_AFTER_BEFORE})
        return attrs
