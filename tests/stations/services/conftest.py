"""Stations of each OCPP version for the service tests."""

from __future__ import annotations

import pytest

from tests.factories.stations import StationFactory


@pytest.fixture
def v16():
    return StationFactory(ocpp_version="1.6")


@pytest.fixture(params=["2.0.1", "2.1"])
def v2x(request):
    return StationFactory(ocpp_version=request.param)


@pytest.fixture
def v21():
    return StationFactory(ocpp_version="2.1")
