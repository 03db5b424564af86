"""Operator driver pages: list (search, counts), open an account, a driver's page, issue a
token. Staff read, admins and operators change, viewers get 403 on changes, drivers 403."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from backoffice.accounts.models import IdToken
from backoffice.accounts.services.driver_tokens import VALUE_HAS_SPACES
from backoffice.audit.models import AuditEvent
from stations.models import Transaction
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def issue():
    return {"id_token": "04AABBCCDD", "type": "ISO14443", "label": "Fleet 3", "expires_at": ""}


# --- who may see and do what -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda driver: reverse("drivers:list"),
        lambda driver: reverse("drivers:create"),
        lambda driver: reverse("drivers:detail", args=[driver.pk]),
    ],
)
def test_drivers_get_403_on_the_operator_pages(client, driver, other_driver, url):
    assert signed_in(client, driver).get(url(other_driver)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, driver):
    response = client.get(reverse("drivers:detail", args=[driver.pk]))
    assert response["Location"].startswith(reverse("account_login"))


def test_a_viewer_reads_but_cannot_change(client, viewer, driver):
    signed_in(client, viewer)
    assert client.get(reverse("drivers:list")).status_code == 200
    page = client.get(reverse("drivers:detail", args=[driver.pk])).content.decode()
    assert "DRIVER-TAG" in page
    assert reverse("drivers:issue_token", args=[driver.pk]) not in page
    assert client.get(reverse("drivers:create")).status_code == 403
    response = client.post(reverse("drivers:create"), {"email": "kim@example.com"})
    assert response.status_code == 403
    response = client.post(reverse("drivers:issue_token", args=[driver.pk]), issue())
    assert response.status_code == 403
    assert not IdToken.objects.filter(id_token="04AABBCCDD").exists()
    assert mail.outbox == []


def test_staff_are_no_drivers(client, operator, viewer):
    signed_in(client, operator)
    assert client.get(reverse("drivers:detail", args=[viewer.pk])).status_code == 404
    assert "viewer" not in client.get(reverse("drivers:list")).content.decode()


# --- the list --------------------------------------------------------------------------------


def test_the_list_counts_tokens_and_sessions_and_searches(client, viewer, driver, other_driver):
    IdTokenFactory(id_token="DRIVER-TAG-2", user=driver)
    station = StationFactory(identity="CP-1")
    for number in range(3):
        Transaction.objects.create(
            station=station, transaction_id=str(number), id_token=driver.id_tokens.first()
        )
    signed_in(client, viewer)
    response = client.get(reverse("drivers:list"))
    row = next(d for d in response.context["page_obj"].object_list if d.pk == driver.pk)
    assert (row.token_count, row.session_count) == (2, 3)

    found = client.get(reverse("drivers:list"), {"q": "OTHER-DRIVER@example"})
    assert [d.pk for d in found.context["page_obj"].object_list] == [other_driver.pk]
    assert reverse("drivers:detail", args=[other_driver.pk]) in found.content.decode()


# --- open an account, issue a token ----------------------------------------------------------


def test_an_operator_opens_a_driver_account(client, operator, django_capture_on_commit_callbacks):
    signed_in(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("drivers:create"),
            {"email": "kim@example.com", "first_name": "Kim", "last_name": "", "phone": ""},
        )
    address = EmailAddress.objects.get(email="kim@example.com")
    assert address.verified
    assert response["Location"] == reverse("drivers:detail", args=[address.user_id])
    [message] = mail.outbox
    assert message.to == ["kim@example.com"]
    assert "/accounts/password/reset/key/" in message.body
    assert AuditEvent.objects.filter(action="accounts.driver.create", actor=operator).exists()


def test_a_taken_address_shows_next_to_the_field(client, operator, driver):
    signed_in(client, operator)
    response = client.post(reverse("drivers:create"), {"email": driver.email})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert mail.outbox == []


def test_an_operator_issues_a_token_in_use_at_once(client, operator, driver, settings):
    settings.DRIVER_TOKENS_NEED_APPROVAL = True
    signed_in(client, operator)
    response = client.post(reverse("drivers:issue_token", args=[driver.pk]), issue())
    assert response["Location"] == reverse("drivers:detail", args=[driver.pk])
    token = IdToken.objects.get(id_token="04AABBCCDD")
    assert (token.user, token.awaiting_approval, token.label) == (driver, False, "Fleet 3")
    event = AuditEvent.objects.get(action="accounts.id_token.create", target_id=str(token.pk))
    assert event.actor == operator


def test_a_malformed_token_shows_the_error_next_to_the_field(client, operator, driver):
    signed_in(client, operator)
    response = client.post(
        reverse("drivers:issue_token", args=[driver.pk]), {**issue(), "id_token": "04 AA"}
    )
    assert response.status_code == 400
    assert response.context["issue_form"].errors["id_token"] == [str(VALUE_HAS_SPACES)]
    assert not IdToken.objects.filter(id_token="04 AA").exists()


def test_the_staff_menu_links_the_drivers(client, viewer):
    body = signed_in(client, viewer).get(reverse("drivers:list")).content.decode()
    assert 'href="/drivers/" aria-current="page"' in body
