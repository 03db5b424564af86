"""The site form's token rule: every valid token, or a private site's chosen tokens; audited,
and the site's stations told (their lists, and their caches when access is taken away)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.accounts.models import IdToken
from backoffice.audit.models import AuditEvent
from stations.forms.sites import PRIVATE_WITHOUT_TOKENS
from stations.models import Site
from stations.services.local_lists import token_sync
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import SiteFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("operator:site_create")


def edit(site) -> str:
    return reverse("operator:site_edit", args=[site.pk])


def test_the_form_offers_the_rule_and_every_token_with_a_search_box(client, operator):
    IdTokenFactory(id_token="FLEET-7", label="Acme fleet")
    IdTokenFactory(id_token="CARD-1", group_id_token="FLEET-7")
    client.force_login(operator)
    page = client.get(CREATE).content.decode()
    assert 'name="accepts_all_tokens"' in page
    assert 'name="allowed_id_tokens"' in page
    assert "data-option-filter" in page
    assert "js/option_filter.js" in page
    assert "FLEET-7 · “Acme fleet”" in page
    assert "CARD-1 · group FLEET-7" in page


def test_a_new_site_accepts_every_valid_token_by_default(client, operator):
    client.force_login(operator)
    form = client.get(CREATE).context["form"]
    assert form["accepts_all_tokens"].value() is True


def test_an_operator_makes_a_site_private_and_it_is_audited(client, operator):
    site = SiteFactory(name="Depot")
    card, group = IdTokenFactory(id_token="CARD-1"), IdTokenFactory(id_token="FLEET-7")
    client.force_login(operator)
    response = client.post(edit(site), {"name": "Depot", "allowed_id_tokens": [card.pk, group.pk]})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.accepts_all_tokens is False
    assert set(site.allowed_id_tokens.all()) == {card, group}
    event = AuditEvent.objects.get(action="stations.site_updated")
    assert event.actor == operator
    assert event.data == {
        "accepts_all_tokens": {"old": True, "new": False},
        "allowed_id_tokens": {"old": [], "new": ["CARD-1", "FLEET-7"]},
    }


def test_changing_only_the_tokens_is_audited_by_value(client, operator):
    site = SiteFactory(name="Depot", accepts_all_tokens=False)
    old, new = IdTokenFactory(id_token="OLD"), IdTokenFactory(id_token="NEW")
    site.allowed_id_tokens.add(old)
    client.force_login(operator)
    client.post(edit(site), {"name": "Depot", "allowed_id_tokens": [new.pk]})
    assert list(site.allowed_id_tokens.all()) == [new]
    event = AuditEvent.objects.get(action="stations.site_updated")
    assert event.data == {"allowed_id_tokens": {"old": ["OLD"], "new": ["NEW"]}}


def test_saving_the_same_tokens_audits_nothing(client, operator):
    site = SiteFactory(name="Depot", accepts_all_tokens=False)
    token = IdTokenFactory()
    site.allowed_id_tokens.add(token)
    client.force_login(operator)
    response = client.post(edit(site), {"name": "Depot", "allowed_id_tokens": [token.pk]})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="stations.site_updated").exists()


def test_a_private_site_without_tokens_is_refused(client, operator):
    site = SiteFactory(name="Depot")
    client.force_login(operator)
    response = client.post(edit(site), {"name": "Depot"})
    assert response.status_code == 200
    assert str(PRIVATE_WITHOUT_TOKENS) in response.context["form"].errors["allowed_id_tokens"]
    site.refresh_from_db()
    assert site.accepts_all_tokens is True
    assert not AuditEvent.objects.exists()


def test_a_new_private_site_is_created_with_its_tokens_audited(client, operator):
    token = IdTokenFactory(id_token="CARD-1")
    client.force_login(operator)
    response = client.post(CREATE, {"name": "Yard", "allowed_id_tokens": [token.pk]})
    assert response.status_code == 302
    site = Site.objects.get(name="Yard")
    assert (site.accepts_all_tokens, list(site.allowed_id_tokens.all())) == (False, [token])
    data = AuditEvent.objects.get(action="stations.site_created").data
    assert (data["accepts_all_tokens"], data["allowed_id_tokens"]) == (False, ["CARD-1"])


def test_an_unknown_token_id_is_refused(client, operator):
    site = SiteFactory(name="Depot")
    client.force_login(operator)
    response = client.post(edit(site), {"name": "Depot", "allowed_id_tokens": [999999]})
    assert response.status_code == 200
    assert "allowed_id_tokens" in response.context["form"].errors
    assert not site.allowed_id_tokens.exists()


# --- stations kept in step (what they are sent: tests/stations/services/test_token_sync.py) --


@pytest.mark.parametrize(
    ("before", "post", "narrowed"),
    [
        # Made private: access taken from every token it does not list.
        ({"accepts_all_tokens": True}, {"allowed_id_tokens": ["KEPT"]}, True),
        # A private site losing a token takes access away; one gaining a token does not.
        ({"accepts_all_tokens": False}, {"allowed_id_tokens": ["NEW"]}, True),
        ({"accepts_all_tokens": False}, {"allowed_id_tokens": ["KEPT", "NEW"]}, False),
        # Opened: it only gives access.
        ({"accepts_all_tokens": False}, {"accepts_all_tokens": "on"}, False),
    ],
)
def test_a_changed_token_rule_brings_the_sites_stations_in_step(
    client, operator, monkeypatch, django_capture_on_commit_callbacks, before, post, narrowed
):
    site = SiteFactory(name="Depot", **before)
    tokens = {value: IdTokenFactory(id_token=value) for value in ("KEPT", "NEW")}
    site.allowed_id_tokens.add(tokens["KEPT"])
    calls = []
    monkeypatch.setattr(token_sync, "site_changed", lambda **kwargs: calls.append(kwargs))
    client.force_login(operator)
    data = {"name": "Depot", **post}
    data["allowed_id_tokens"] = [tokens[value].pk for value in post.get("allowed_id_tokens", [])]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit(site), data)
    assert response.status_code == 302
    assert calls == [{"site_id": site.pk, "narrowed": narrowed}]


@pytest.mark.parametrize(
    ("accepts_all_tokens", "post"),
    [
        # Saved unchanged.
        (False, {"allowed_id_tokens": ["KEPT"]}),
        # An open site's tokens count for nothing while it stays open.
        (True, {"accepts_all_tokens": "on", "allowed_id_tokens": ["KEPT", "NEW"]}),
    ],
)
def test_a_change_that_changes_no_answer_tells_no_station(
    client, operator, monkeypatch, django_capture_on_commit_callbacks, accepts_all_tokens, post
):
    site = SiteFactory(name="Depot", accepts_all_tokens=accepts_all_tokens)
    tokens = {value: IdTokenFactory(id_token=value) for value in ("KEPT", "NEW")}
    site.allowed_id_tokens.add(tokens["KEPT"])
    calls = []
    monkeypatch.setattr(token_sync, "site_changed", lambda **kwargs: calls.append(kwargs))
    client.force_login(operator)
    data = {"name": "Depot", **post}
    data["allowed_id_tokens"] = [tokens[value].pk for value in post["allowed_id_tokens"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit(site), data)
    assert response.status_code == 302
    changed = AuditEvent.objects.filter(action="stations.site_updated").first()
    assert (changed is not None) == accepts_all_tokens
    assert calls == []


def test_a_site_operator_picks_only_among_their_sites_tokens(client, other_site_operator):
    site = other_site_operator.staff_profile.sites.get()
    listed = IdTokenFactory(id_token="LISTED-HERE")
    site.allowed_id_tokens.add(listed)
    IdTokenFactory(id_token="SOMEONE-ELSES")
    client.force_login(other_site_operator)
    page = client.get(edit(site)).content.decode()
    assert "LISTED-HERE" in page
    assert "SOMEONE-ELSES" not in page
    stranger = IdToken.objects.get(id_token="SOMEONE-ELSES")
    response = client.post(
        edit(site),
        {"name": site.name, "accepts_all_tokens": "", "allowed_id_tokens": [stranger.pk]},
    )
    assert response.status_code == 200  # the form's error: not a choice
    assert list(site.allowed_id_tokens.all()) == [listed]
