"""What a differential local-list send carries after a token or a site changes (no socket): the
entry follows the authorization rules (group, approval, account, the station's site), expiry
and deletion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backoffice.accounts.models import IdToken
from stations.models import LocalAuthList
from stations.services.charging import authorization
from stations.services.local_lists import local_list
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

LATER = datetime(2030, 1, 1, tzinfo=UTC)
SOONER = datetime(2029, 6, 1, tzinfo=UTC)


@pytest.fixture
def station():
    return StationFactory(ocpp_version="2.0.1")


def accepted(station, values: list[str]) -> LocalAuthList:
    """The station holds `values` as they are now (as after an accepted full send)."""
    local_list.add_tokens(station_id=station.pk, id_tokens=values)
    held = LocalAuthList.objects.get(station=station)
    infos = {item.id_tag: item.info for item in local_list._plan(held, local_list.FULL)}
    for entry in held.entries.all():
        entry.sent_info = infos[entry.id_tag]
        entry.save()
    held.version = 1
    held.save()
    return held


def differential(held: LocalAuthList) -> dict[str, dict | None]:
    return {item.id_tag: item.info for item in local_list._plan(held, local_list.DIFFERENTIAL)}


def test_an_unchanged_list_has_nothing_to_send(station):
    IdTokenFactory(id_token="CARD")
    held = accepted(station, ["CARD"])
    assert differential(held) == {}
    assert local_list.pending_changes(station_id=station.pk) == 0


def test_a_blocked_token_is_sent_blocked_and_alone(station):
    card = IdTokenFactory(id_token="CARD")
    IdTokenFactory(id_token="OTHER")
    held = accepted(station, ["CARD", "OTHER"])
    IdToken.objects.filter(pk=card.pk).update(status="Blocked")
    assert differential(held) == {
        "CARD": {
            "type": "ISO14443",
            "status": "Blocked",
            "expires_at": None,
            "group": None,
            "group_type": None,
        }
    }
    assert local_list.pending_changes(station_id=station.pk) == 1


def test_blocking_a_group_changes_the_entries_of_its_cards(station):
    group = IdTokenFactory(id_token="FLEET", type="Local")
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    IdTokenFactory(id_token="LONER")
    held = accepted(station, ["MEMBER", "LONER"])
    assert held.entries.get(id_tag="MEMBER").sent_info["group_type"] == "Local"
    IdToken.objects.filter(pk=group.pk).update(status="Blocked")
    changes = differential(held)
    assert list(changes) == ["MEMBER"]
    assert (changes["MEMBER"]["status"], changes["MEMBER"]["group"]) == ("Blocked", "FLEET")


def test_a_group_expiring_first_gives_its_cards_its_expiry(station):
    group = IdTokenFactory(id_token="FLEET")
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET", expires_at=LATER)
    held = accepted(station, ["MEMBER"])
    assert held.entries.get().sent_info["expires_at"] == "2030-01-01T00:00:00.000Z"
    IdToken.objects.filter(pk=group.pk).update(expires_at=SOONER)
    assert differential(held)["MEMBER"]["expires_at"] == "2029-06-01T00:00:00.000Z"


def test_a_new_expiry_is_sent(station):
    card = IdTokenFactory(id_token="CARD")
    held = accepted(station, ["CARD"])
    IdToken.objects.filter(pk=card.pk).update(expires_at=LATER)
    assert differential(held)["CARD"]["expires_at"] == "2030-01-01T00:00:00.000Z"


def test_a_card_awaiting_approval_is_held_invalid_until_approved(station):
    card = IdTokenFactory(id_token="CARD", awaiting_approval=True)
    held = accepted(station, ["CARD"])
    assert held.entries.get().sent_info["status"] == "Invalid"
    IdToken.objects.filter(pk=card.pk).update(awaiting_approval=False)
    assert differential(held)["CARD"]["status"] == "Accepted"


def test_the_card_of_a_disabled_account_is_sent_blocked(station):
    user = UserFactory()
    IdTokenFactory(id_token="CARD", user=user)
    held = accepted(station, ["CARD"])
    user.is_active = False
    user.save()
    assert differential(held)["CARD"]["status"] == "Blocked"


def test_a_changed_group_is_sent(station):
    card = IdTokenFactory(id_token="CARD")
    IdTokenFactory(id_token="FLEET", type="Central")
    held = accepted(station, ["CARD"])
    IdToken.objects.filter(pk=card.pk).update(group_id_token="FLEET")
    changes = differential(held)["CARD"]
    assert (changes["group"], changes["group_type"]) == ("FLEET", "Central")


def test_a_deleted_token_leaves_the_list(station):
    card = IdTokenFactory(id_token="CARD")
    IdTokenFactory(id_token="STAYS")
    held = accepted(station, ["CARD", "STAYS"])
    card.delete()
    assert differential(held) == {"CARD": None}


def test_a_list_never_accepted_has_no_pending_changes(station):
    IdTokenFactory(id_token="CARD")
    local_list.add_tokens(station_id=station.pk, id_tokens=["CARD"])
    assert local_list.pending_changes(station_id=station.pk) == 0


# --- the site rule ---------------------------------------------------------------------------


@pytest.fixture
def private_station():
    return StationFactory(ocpp_version="2.0.1", site=SiteFactory(accepts_all_tokens=False))


def statuses(held: LocalAuthList, update_type: str = local_list.DIFFERENTIAL) -> dict[str, str]:
    return {
        item.id_tag: item.info["status"] if item.info else None
        for item in local_list._plan(held, update_type)
    }


def test_a_private_site_holds_the_tokens_it_does_not_list_as_not_at_this_location(
    private_station,
):
    fleet, allowed = IdTokenFactory(id_token="FLEET"), IdTokenFactory(id_token="ALLOWED")
    private_station.site.allowed_id_tokens.add(fleet, allowed)
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    IdTokenFactory(id_token="STRANGER")
    held = accepted(private_station, ["ALLOWED", "MEMBER", "STRANGER"])
    assert statuses(held, local_list.FULL) == {
        "ALLOWED": "Accepted",
        "MEMBER": "Accepted",
        "STRANGER": "NotAtThisLocation",
    }


def test_the_list_holds_what_authorize_answers_there(private_station):
    """The one rule: each entry's status is what the station would hear online (no session)."""
    user = UserFactory(is_active=False)
    IdTokenFactory(id_token="FLEET")
    IdTokenFactory(id_token="BLOCKED-FLEET", status="Blocked")
    private_station.site.allowed_id_tokens.add(
        IdTokenFactory(id_token="LISTED"),
        IdTokenFactory(id_token="LISTED-BLOCKED", status="Blocked"),
        IdTokenFactory(id_token="LISTED-WAITING", awaiting_approval=True),
        IdTokenFactory(id_token="LISTED-DISABLED", user=user),
        IdToken.objects.get(id_token="FLEET"),
        IdTokenFactory(id_token="MEMBER-OF-BLOCKED", group_id_token="BLOCKED-FLEET"),
    )
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    IdTokenFactory(id_token="STRANGER")
    IdTokenFactory(id_token="STRANGER-EXPIRED", expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    values = [
        "LISTED",
        "LISTED-BLOCKED",
        "LISTED-WAITING",
        "LISTED-DISABLED",
        "MEMBER",
        "MEMBER-OF-BLOCKED",
        "STRANGER",
        "STRANGER-EXPIRED",
    ]
    open_station = StationFactory(ocpp_version="2.0.1")
    held_by = {}
    for station in (private_station, open_station):
        held = accepted(station, values)
        answers = {
            value: authorization.authorize(id_tag=value, station_id=station.pk).status
            for value in values
        }
        held_by[station.pk] = statuses(held, local_list.FULL)
        assert held_by[station.pk] == answers
    # Every rule is met here, so a list that ignored one would differ somewhere.
    assert set(held_by[private_station.pk].values()) == {
        "Accepted",
        "Blocked",
        "Expired",
        "Invalid",
        "NotAtThisLocation",
    }
    assert held_by[open_station.pk]["STRANGER"] == "Accepted"


def test_a_site_made_private_then_open_changes_only_the_entries_it_concerns():
    station = StationFactory(ocpp_version="2.0.1")
    listed = IdTokenFactory(id_token="LISTED")
    IdTokenFactory(id_token="STRANGER")
    IdTokenFactory(id_token="BLOCKED", status="Blocked")
    held = accepted(station, ["LISTED", "STRANGER", "BLOCKED"])
    site = station.site
    site.accepts_all_tokens = False
    site.save()
    site.allowed_id_tokens.add(listed)
    assert statuses(held) == {"STRANGER": "NotAtThisLocation"}
    held = accepted(station, ["LISTED", "STRANGER", "BLOCKED"])
    site.accepts_all_tokens = True
    site.save()
    assert statuses(held) == {"STRANGER": "Accepted"}


def test_a_deleted_group_that_a_private_site_listed_leaves_its_cards_not_at_this_location(
    private_station,
):
    fleet = IdTokenFactory(id_token="FLEET")
    private_station.site.allowed_id_tokens.add(fleet)
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    held = accepted(private_station, ["MEMBER"])
    assert statuses(held, local_list.FULL) == {"MEMBER": "Accepted"}
    fleet.delete()
    assert statuses(held) == {"MEMBER": "NotAtThisLocation"}
