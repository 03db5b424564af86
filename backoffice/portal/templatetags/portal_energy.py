"""`{{ amount_kwh|kwh }}`: an energy amount as the portal shows it, to the Wh and without
trailing zeros ("1.5", not "1.500"), in the active locale's number format."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import floatformat

from backoffice.lib import units

register = template.Library()

# kWh to three decimals is Wh, what meters report.
KWH_PLACES = 3


@register.filter
def kwh(value: Any) -> str:
    """kWh (Decimal, int or numeric string) as a number without trailing zeros; "" for None
    or something not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = units.plain(Decimal(str(value)), KWH_PLACES)
    except (InvalidOperation, ValueError):
        return ""
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return floatformat(amount, places)
