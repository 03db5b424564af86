"""The operator's printable QR codes: one per connector, linking to the portal's start page."""

from __future__ import annotations

import re

import pytest
import segno
from django.urls import reverse

from stations.models import Connector, Evse
from tests.factories.stations import SiteFactory, StationFactory

from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    station = StationFactory(identity="CP.QR 1", name="Harbour east", site=SiteFactory())
    for evse_id, connectors in ((1, 1), (2, 2)):
        evse = Evse.objects.create(station=station, evse_id=evse_id)
        for connector_id in range(1, connectors + 1):
            Connector.objects.create(evse=evse, connector_id=connector_id)
    return station


def qr_url(station) -> str:
    return reverse("operator:station_qr", args=[station.identity])


def test_one_code_per_connector_links_to_the_portal_start_page(client, operator, station, settings):
    settings.BACKOFFICE_PUBLIC_URL = "https://charge.example.com/"
    response = signed_in(client, operator).get(qr_url(station))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="qr-code"') == 3
    assert body.count("<svg") == 3
    for evse_id, connector_id in ((1, 1), (2, 1), (2, 2)):
        link = "https://charge.example.com" + reverse(
            "portal:start_at", args=[station.identity, evse_id, connector_id]
        )
        assert f'href="{link}"' in body
        assert f"EVSE {evse_id} · connector {connector_id}" in body
    assert "Harbour east" in body
    assert "@media print" not in body  # print rules live in the stylesheet


def test_the_codes_encode_the_link_they_show(operator, station, settings):
    from stations.views.operator.qr import connector_codes

    settings.BACKOFFICE_PUBLIC_URL = "https://charge.example.com"
    codes = connector_codes(
        type(station).objects.prefetch_related("evses__connectors").get(pk=station.pk)
    )
    assert codes[0].url == "https://charge.example.com/portal/start/CP.QR%201/1/1/"
    assert [(code.evse_id, code.connector_id) for code in codes] == [(1, 1), (2, 1), (2, 2)]
    for code in codes:
        # The drawn code is the encoding of the link printed under it, and scales for print.
        expected = segno.make(code.url, error="m").svg_inline(scale=4, border=4, omitsize=True)
        assert code.svg == expected
        assert re.search(r'viewBox="0 0 \d+ \d+"', code.svg)


def test_a_viewer_may_print(client, viewer, station):
    assert signed_in(client, viewer).get(qr_url(station)).status_code == 200


def test_an_operator_of_another_site_gets_404(client, other_site_operator, station):
    assert signed_in(client, other_site_operator).get(qr_url(station)).status_code == 404


def test_drivers_are_refused_and_visitors_sent_to_sign_in(client, driver, station):
    assert client.get(qr_url(station)).status_code == 302
    assert signed_in(client, driver).get(qr_url(station)).status_code == 403


def test_the_station_page_links_to_the_codes(client, operator, station):
    url = reverse("operator:station_detail", args=[station.identity])
    assert qr_url(station) in signed_in(client, operator).get(url).content.decode()


def test_a_station_without_connectors_says_codes_come_later(client, operator):
    station = StationFactory(identity="CP-EMPTY")
    body = signed_in(client, operator).get(qr_url(station)).content.decode()
    assert "<svg" not in body
    assert "has not reported any connector yet" in body
