from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backoffice.lib.ocpp_time import format_ocpp_datetime, parse_ocpp_datetime


@pytest.mark.parametrize(
    ("raw", "expected", "naive"),
    [
        ("2026-01-05T10:00:00Z", datetime(2026, 1, 5, 10, tzinfo=UTC), False),
        ("2026-01-05T12:00:00+02:00", datetime(2026, 1, 5, 10, tzinfo=UTC), False),
        ("2026-01-05T10:00:00.123z", datetime(2026, 1, 5, 10, 0, 0, 123000, tzinfo=UTC), False),
        ("2026-01-05T10:00:00", datetime(2026, 1, 5, 10, tzinfo=UTC), True),
    ],
)
def test_it_parses_to_aware_utc(raw, expected, naive):
    parsed = parse_ocpp_datetime(raw)
    assert parsed.value == expected
    assert parsed.value.tzinfo is UTC
    assert parsed.naive is naive


def test_it_refuses_what_is_no_date():
    with pytest.raises(ValueError, match="Invalid isoformat"):
        parse_ocpp_datetime("yesterday")


def test_it_formats_with_a_z_and_milliseconds():
    assert format_ocpp_datetime(datetime(2026, 1, 5, 10, tzinfo=UTC)) == "2026-01-05T10:00:00.000Z"
