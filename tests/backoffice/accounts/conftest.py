from __future__ import annotations

import pytest


@pytest.fixture
def token_changes(monkeypatch):
    """Calls of stations.services.local_lists.token_sync.token_changed, as (token_pk, blocked)."""
    from stations.services.local_lists import token_sync

    calls: list[tuple[int, bool]] = []

    def record(*, token_pk: int, blocked: bool = False) -> None:
        calls.append((token_pk, blocked))

    monkeypatch.setattr(token_sync, "token_changed", record)
    return calls
