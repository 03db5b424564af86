"""The driver's id tokens through the API."""

from __future__ import annotations

import pytest

from backoffice.accounts.models import IdToken
from backoffice.accounts.services import driver_tokens, id_tokens
from backoffice.portal.services import charging

pytestmark = pytest.mark.django_db


def test_the_list_holds_the_drivers_cards_and_app_token(api, driver, other_driver):
    app = charging.ensure_app_token(user=driver)
    body = api(driver).get("/api/v1/me/tokens/").json()
    assert {row["id_token"]: row["is_app_token"] for row in body} == {
        app.id_token: True,
        "DRIVER-TAG": False,
    }


def test_a_card_is_added_waiting_for_approval(api, driver, settings):
    settings.DRIVER_TOKENS_NEED_APPROVAL = True
    response = api(driver).post(
        "/api/v1/me/tokens/", {"id_token": "04A1B2C3", "type": "ISO14443", "label": "Blue card"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["awaiting_approval"] is True
    token = IdToken.objects.get(id_token="04A1B2C3")
    assert (token.user, token.label) == (driver, "Blue card")


def test_a_bad_or_taken_card_is_refused_with_the_field(api, driver, other_driver):
    bad = api(driver).post("/api/v1/me/tokens/", {"id_token": "not hex!", "type": "ISO14443"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["id_token"]
    taken = api(driver).post(
        "/api/v1/me/tokens/", {"id_token": "OTHER-DRIVER-TAG", "type": "KeyCode"}
    )
    assert taken.status_code == 400
    assert list(taken.json()) == ["id_token"]
    central = api(driver).post("/api/v1/me/tokens/", {"id_token": "X1", "type": "Central"})
    assert central.status_code == 400
    assert IdToken.objects.filter(user=driver).count() == 1


def test_a_taken_card_in_any_case_gets_one_answer_that_does_not_say_it_exists(
    api, driver, other_driver
):
    answers = [
        api(driver).post("/api/v1/me/tokens/", {"id_token": value, "type": "KeyCode"})
        for value in ("OTHER-DRIVER-TAG", "Other-Driver-Tag")
    ]
    for answer in answers:
        assert answer.status_code == 400
        assert answer.json() == {"id_token": [str(driver_tokens.CARD_UNAVAILABLE)]}
        assert "exist" not in answer.content.decode().lower()
    assert not IdToken.objects.filter(user=driver, id_token__iexact="other-driver-tag").exists()


def test_a_token_is_renamed_blocked_and_unblocked(api, driver):
    token = IdToken.objects.get(user=driver)
    client = api(driver)
    renamed = client.patch(f"/api/v1/me/tokens/{token.pk}/", {"label": "Work"})
    assert renamed.status_code == 200
    assert renamed.json()["label"] == "Work"
    assert client.get(f"/api/v1/me/tokens/{token.pk}/").json()["label"] == "Work"
    blocked = client.post(f"/api/v1/me/tokens/{token.pk}/block/")
    assert blocked.json()["status"] == "Blocked"
    unblocked = client.post(f"/api/v1/me/tokens/{token.pk}/unblock/")
    assert unblocked.json()["status"] == "Accepted"


def test_an_operators_block_stands(api, driver, operator):
    token = IdToken.objects.get(user=driver)
    id_tokens.block(actor=operator, token_pk=token.pk)
    response = api(driver).post(f"/api/v1/me/tokens/{token.pk}/unblock/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(driver_tokens.BLOCKED_BY_OPERATOR)}
    assert IdToken.objects.get(pk=token.pk).status == IdToken.Status.BLOCKED
