"""`units.plain`: amounts rounded for people, without trailing zeros or an exponent."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backoffice.lib import units


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("1.500"), 3, "1.5"),
        (D("2E+1"), 3, "20"),
        (D("20.000"), 3, "20"),
        (D("1234.5678"), 3, "1234.568"),
        (D("0.0005"), 3, "0.001"),  # half up
        (D("2.345"), 2, "2.35"),
        (D("-0.0001"), 3, "0"),
        (D("0"), 3, "0"),
    ],
)
def test_it_rounds_half_up_and_drops_trailing_zeros(value, places, expected):
    assert str(units.plain(value, places)) == expected
