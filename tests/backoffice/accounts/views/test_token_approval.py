"""Operator token pages: the awaiting-approval filter, approve and reject (operators only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.accounts.models import IdToken
from backoffice.audit.models import AuditEvent
from tests.factories.accounts import IdTokenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(driver):
    return IdTokenFactory(id_token="04A1B2C3D4", user=driver, awaiting_approval=True)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_filter_lists_only_cards_awaiting_approval(client, viewer, waiting):
    signed_in(client, viewer)
    page = client.get(reverse("operator:token_list"), {"awaiting": "on"})
    assert [t.pk for t in page.context["page_obj"].object_list] == [waiting.pk]
    everything = client.get(reverse("operator:token_list")).content.decode()
    assert "1 card awaits approval" in everything
    assert "DRIVER-TAG" in everything


def test_a_viewer_sees_no_decision_buttons_and_gets_403(client, viewer, waiting):
    signed_in(client, viewer)
    body = client.get(reverse("operator:token_list")).content.decode()
    assert reverse("operator:token_approve", args=[waiting.pk]) not in body
    for name in ("operator:token_approve", "operator:token_reject"):
        assert client.post(reverse(name, args=[waiting.pk])).status_code == 403
    waiting.refresh_from_db()
    assert waiting.awaiting_approval
    assert not AuditEvent.objects.exists()


def test_a_driver_gets_403(client, driver, waiting):
    signed_in(client, driver)
    assert client.post(reverse("operator:token_approve", args=[waiting.pk])).status_code == 403


def test_an_operator_approves_from_the_list_in_place(client, operator, waiting):
    signed_in(client, operator)
    assert reverse("operator:token_approve", args=[waiting.pk]) in (
        client.get(reverse("operator:token_list")).content.decode()
    )
    row = client.post(reverse("operator:token_approve", args=[waiting.pk]), HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert "awaiting approval" not in row.content.decode()
    waiting.refresh_from_db()
    assert not waiting.awaiting_approval
    assert AuditEvent.objects.get(action="accounts.id_token.approve").actor == operator


def test_an_operator_rejects_from_the_detail_page(client, operator, waiting):
    signed_in(client, operator)
    detail = reverse("operator:token_detail", args=[waiting.pk])
    page = client.get(detail).content.decode()
    assert reverse("operator:token_reject", args=[waiting.pk]) in page
    response = client.post(reverse("operator:token_reject", args=[waiting.pk]))
    assert response["Location"] == detail
    waiting.refresh_from_db()
    assert (waiting.status, waiting.awaiting_approval) == (IdToken.Status.INVALID, False)
    assert AuditEvent.objects.get(action="accounts.id_token.reject").actor == operator


def test_an_unknown_token_is_404(client, operator):
    signed_in(client, operator)
    assert client.post(reverse("operator:token_approve", args=[999999])).status_code == 404
