"""What a differential local-list send carries after a token changes (no socket): the entry
follows the authorization rules (group, approval, account), expiry and deletion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backoffice.accounts.models import IdToken
from stations.models import LocalAuthList
from stations.services import local_list
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.stations import StationFactory

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
