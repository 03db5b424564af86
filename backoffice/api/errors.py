"""The body of an error answer, as both APIs document it."""

from __future__ import annotations

from rest_framework import serializers


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField()
