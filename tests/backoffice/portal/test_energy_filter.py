"""The portal's `kwh` template filter: energy to the Wh, without trailing zeros."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.utils import translation

from backoffice.portal.templatetags.portal_energy import kwh


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1.500"), "1.5"),
        (D("20"), "20"),
        (D("2E+1"), "20"),
        (D("4.5234"), "4.523"),
        (3, "3"),
        ("0.25", "0.25"),
        (None, ""),
        ("", ""),
        ("lots", ""),
    ],
)
def test_it_shows_kwh_without_trailing_zeros(value, expected):
    assert kwh(value) == expected


def test_it_follows_the_locales_decimal_separator():
    with translation.override("de"):
        assert kwh(D("1.50")) == "1,5"


def test_templates_load_it():
    rendered = Template("{% load portal_energy %}{{ amount|kwh }} kWh").render(
        Context({"amount": D("12.300")})
    )
    assert rendered == "12.3 kWh"
