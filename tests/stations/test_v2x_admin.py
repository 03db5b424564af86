"""The admin of the 2.x command records: display messages, monitoring report requests and
customer information requests, read-only evidence for operators."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.models import CustomerInformationRequest, DisplayMessage, MonitoringReportRequest
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db


def one_of_each() -> dict:
    station = StationFactory(identity="CP-ADMIN-1")
    return {
        DisplayMessage: DisplayMessage.objects.create(
            station=station,
            message_id=1,
            priority="InFront",
            format="UTF8",
            content="Welcome",
            status=DisplayMessage.Status.SET,
        ),
        MonitoringReportRequest: MonitoringReportRequest.objects.create(
            station=station, request_id=7, status="Accepted", completed_at=timezone.now()
        ),
        CustomerInformationRequest: CustomerInformationRequest.objects.create(
            station=station, request_id=8, report=True, customer_identifier="C-1", data="x"
        ),
    }


def url(model, view: str, *args: object) -> str:
    return reverse(f"admin:stations_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    "model", [DisplayMessage, MonitoringReportRequest, CustomerInformationRequest]
)
def test_the_records_are_listed_searched_and_read_only(admin_client, model):
    obj = one_of_each()[model]
    listed = admin_client.get(url(model, "changelist"))
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [obj]
    found = admin_client.get(url(model, "changelist"), {"q": "CP-ADMIN-1"})
    assert list(found.context["cl"].result_list) == [obj]
    missed = admin_client.get(url(model, "changelist"), {"q": "no-such-thing"})
    assert missed.context["cl"].result_count == 0
    view = admin_client.get(url(model, "change", obj.pk))
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
