"""Staff limited to some sites see and change only the tokens of their sites (issue 11).

Their tokens: those that charged at a station of their sites, those one of their sites lists
as accepted there, and the cards of a group token so listed. Tokens work at every site, so
adding tokens, approving drivers' cards and driver accounts are for staff of every site.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.accounts.decorators import NETWORK_WIDE
from backoffice.accounts.models import IdToken, StaffProfile
from stations import selectors as station_selectors
from stations.models import Transaction
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

MINE = {"USED-HERE", "LISTED-HERE", "FLEET-HERE", "FLEET-CARD"}


@pytest.fixture
def tokens(other_site_operator, driver):
    site = StaffProfile.objects.get(user=other_site_operator).sites.get()
    here, elsewhere = StationFactory(site=site), StationFactory()
    charger_user = UserFactory(username="charged-here")
    used = IdTokenFactory(id_token="USED-HERE", user=charger_user)
    Transaction.objects.create(station=here, transaction_id="1", id_token=used)
    listed, fleet = IdTokenFactory(id_token="LISTED-HERE"), IdTokenFactory(id_token="FLEET-HERE")
    site.allowed_id_tokens.add(listed, fleet)
    IdTokenFactory(id_token="FLEET-CARD", group_id_token="FLEET-HERE")
    away = IdTokenFactory(id_token="USED-ELSEWHERE")
    Transaction.objects.create(station=elsewhere, transaction_id="2", id_token=away)
    IdTokenFactory(id_token="WAITING-CARD", awaiting_approval=True, user=driver)
    return {token.id_token: token for token in IdToken.objects.all()}


def page_values(response) -> set[str]:
    return {token.id_token for token in response.context["page_obj"]}


def test_a_site_operator_lists_only_the_tokens_of_their_sites(client, other_site_operator, tokens):
    client.force_login(other_site_operator)
    response = client.get(reverse("operator:token_list"))
    assert page_values(response) == MINE
    assert response.context["awaiting_count"] == 0
    assert "USED-ELSEWHERE" not in response.content.decode()


def test_an_operator_of_every_site_lists_every_token(client, operator, tokens):
    client.force_login(operator)
    assert page_values(client.get(reverse("operator:token_list"))) == set(tokens)


def test_other_tokens_are_not_found_and_cannot_be_blocked(client, other_site_operator, tokens):
    client.force_login(other_site_operator)
    for value in ("USED-ELSEWHERE", "DRIVER-TAG", "WAITING-CARD"):
        pk = tokens[value].pk
        assert client.get(reverse("operator:token_detail", args=[pk])).status_code == 404
        for action in ("block", "unblock", "expiry"):
            url = reverse(f"operator:token_{action}", args=[pk])
            assert client.post(url).status_code == 404, (value, action)
        assert IdToken.objects.get(pk=pk).status == IdToken.Status.ACCEPTED


def test_a_site_operator_blocks_a_token_of_their_sites(client, other_site_operator, tokens):
    client.force_login(other_site_operator)
    used = tokens["USED-HERE"]
    assert client.post(reverse("operator:token_block", args=[used.pk])).status_code == 302
    used.refresh_from_db()
    assert used.status == IdToken.Status.BLOCKED


def test_network_wide_changes_need_staff_of_every_site(client, other_site_operator, tokens):
    client.force_login(other_site_operator)
    listed = tokens["LISTED-HERE"]
    listed.awaiting_approval = True
    listed.save()
    refused = [
        client.get(reverse("operator:token_create")),
        client.post(reverse("operator:token_approve", args=[listed.pk])),
        client.post(reverse("operator:token_reject", args=[listed.pk])),
        client.get(reverse("drivers:create")),
    ]
    for response in refused:
        assert response.status_code == 403
        assert str(NETWORK_WIDE) in response.content.decode()
    listed.refresh_from_db()
    assert listed.awaiting_approval
    page = client.get(reverse("operator:token_list")).content.decode()
    assert reverse("operator:token_create") not in page
    assert reverse("operator:token_approve", args=[listed.pk]) not in page


def test_a_site_operator_sees_only_the_drivers_of_their_tokens(
    client, other_site_operator, driver, tokens
):
    mine = tokens["USED-HERE"].user
    # The same driver's card charged at another site: neither counted nor shown to them.
    other_card = IdTokenFactory(id_token="ALSO-MINE-AWAY", user=mine)
    Transaction.objects.create(
        station=tokens["USED-ELSEWHERE"].transactions.get().station,
        transaction_id="3",
        id_token=other_card,
    )
    client.force_login(other_site_operator)
    listed = client.get(reverse("drivers:list")).context["page_obj"]
    assert [(u.username, u.token_count, u.session_count) for u in listed] == [
        ("charged-here", 1, 1)
    ]
    assert client.get(reverse("drivers:detail", args=[driver.pk])).status_code == 404
    detail = client.get(reverse("drivers:detail", args=[mine.pk]))
    assert [token.id_token for token in detail.context["tokens"]] == ["USED-HERE"]
    assert detail.context["session_count"] == 1
    issue = client.post(reverse("drivers:issue_token", args=[mine.pk]), {"id_token": "NEW-1"})
    assert issue.status_code == 403


def test_the_remote_start_suggestions_hold_only_tokens_in_scope(other_site_operator, tokens):
    found = station_selectors.id_tokens_matching(user=other_site_operator, query="E")
    assert {token.id_token for token in found} == MINE
