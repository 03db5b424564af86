"""Operator page: one printable QR code per connector of a station, linking to the driver
portal's start page for that connector (`portal:start_at`)."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from backoffice.accounts.decorators import staff_required
from stations import selectors
from stations.models import Station


@dataclass(frozen=True, slots=True)
class ConnectorCode:
    evse_id: int
    connector_id: int
    url: str
    svg: SafeString


@require_GET
@staff_required
def station_qr(request: HttpRequest, identity: str) -> HttpResponse:
    """Every staff role may print; a station outside the user's sites is a 404."""
    station = selectors.station_for(user=request.user, identity=identity)
    return render(
        request,
        "operator/station_qr.html",
        {"nav": "stations", "station": station, "codes": connector_codes(station)},
    )


def connector_codes(station: Station) -> list[ConnectorCode]:
    """The codes in EVSE and connector order (the station comes with them prefetched)."""
    codes = []
    for evse in station.evses.all():
        for connector in evse.connectors.all():
            url = start_url(station, evse.evse_id, connector.connector_id)
            codes.append(
                ConnectorCode(
                    evse_id=evse.evse_id,
                    connector_id=connector.connector_id,
                    url=url,
                    svg=_svg(url),
                )
            )
    return codes


def start_url(station: Station, evse_id: int, connector_id: int) -> str:
    """The absolute link a phone opens: the public base URL, not the host the operator used."""
    target = reverse("portal:start_at", args=[station.identity, evse_id, connector_id])
    return settings.BACKOFFICE_PUBLIC_URL.rstrip("/") + target


def _svg(url: str) -> SafeString:
    # segno writes the data as path geometry only, nothing from the URL as markup; a viewBox
    # without a fixed size lets the print CSS choose the printed size.
    svg = segno.make(url, error="m").svg_inline(scale=4, border=4, omitsize=True)
    return mark_safe(svg)  # noqa: S308 - generated above, holds no user text


urlpatterns: list[URLPattern] = [
    path("<str:identity>/qr/", station_qr, name="station_qr"),
]
