"""Clients of the driver API, signed in as one of the cast."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api() -> Callable[..., APIClient]:
    """`api(user)`: a client authenticated as `user`; `api()`: an anonymous one."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
