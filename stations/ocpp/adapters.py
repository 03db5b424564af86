"""Every version's outbound adapter, registered with the services at start."""

from __future__ import annotations

from stations.services.commands import adapters

from .v16.outbound import ADAPTER as V16
from .v21.outbound import ADAPTER as V21
from .v201.outbound import ADAPTER as V201


def install() -> None:
    for adapter in (V16, V201, V21):
        adapters.register(adapter)
