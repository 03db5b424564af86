"""The local authorization list commands offered by the REST API.

The service is `stations.services.local_lists.local_list`.

Which tokens are on a station's list is changed with `local_list.add_tokens` /
`remove_tokens` (no command goes out); `send-local-list` sends the result.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from stations.api.registry import spec
from stations.services.local_lists import local_list


class GetLocalListVersionInput(serializers.Serializer):
    pass


class SendLocalListInput(serializers.Serializer):
    update_type = serializers.ChoiceField(
        choices=local_list.UPDATE_TYPES,
        default=local_list.FULL,
        help_text="Full: the whole list; Differential: the changes since the last accepted send.",
    )


def _sent(outcome: local_list.SendListResult) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "update_type": outcome.update_type,
        "version": outcome.version,
        "confirmed_version": outcome.confirmed_version,
        "retried_full": outcome.retried_full,
        "messages": outcome.messages,
        "remaining": outcome.remaining,
    }


SPECS = [
    spec("get-local-list-version", GetLocalListVersionInput),
    spec("send-local-list", SendLocalListInput, render=_sent),
]
