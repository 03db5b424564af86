"""Operator id token pages: list (search, filters), create, block and unblock, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.accounts.forms import NO_SUCH_USER
from backoffice.accounts.models import IdToken
from backoffice.accounts.services.id_tokens import EXPIRY_IN_PAST, GROUP_IS_SELF, TOKEN_EXISTS
from backoffice.audit.models import AuditEvent
from tests.factories.accounts import IdTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = IdToken.Status


def signed_in(client, user):
    client.force_login(user)
    return client


def new_token(**fields):
    return {
        "id_token": "NEW-CARD-1",
        "type": IdToken.Type.ISO14443,
        "label": "Van 7",
        "status": Status.ACCEPTED,
        "expires_at": "",
        "group_id_token": "",
        "owner": "",
        **fields,
    }


def actions():
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


# --- reading ---------------------------------------------------------------------------------


def test_staff_of_every_site_read_the_list(client, viewer, other_site_operator):
    IdTokenFactory(id_token="CARD-1")
    response = signed_in(client, viewer).get(reverse("operator:token_list"))
    assert response.status_code == 200
    assert "CARD-1" in response.content.decode()
    # Staff limited to sites read only their sites' tokens (test_token_scope.py).
    response = signed_in(client, other_site_operator).get(reverse("operator:token_list"))
    assert response.status_code == 200
    assert "CARD-1" not in response.content.decode()


def test_a_viewer_sees_no_write_buttons(client, viewer):
    IdTokenFactory(id_token="CARD-1")
    body = signed_in(client, viewer).get(reverse("operator:token_list")).content.decode()
    assert reverse("operator:token_create") not in body
    assert "/block/" not in body


def test_a_driver_is_refused(client, driver):
    token = IdToken.objects.get(id_token="DRIVER-TAG")
    client = signed_in(client, driver)
    assert client.get(reverse("operator:token_list")).status_code == 403
    assert client.get(reverse("operator:token_detail", args=[token.pk])).status_code == 403
    assert client.post(reverse("operator:token_block", args=[token.pk])).status_code == 403


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["BUS-9", "CARD-1", "CARD-2", "PHONE-3"]),
        ({"q": "card"}, ["CARD-1", "CARD-2"]),
        ({"q": "depot"}, ["CARD-2"]),
        ({"status": "Blocked"}, ["CARD-2"]),
        ({"type": "Central"}, ["PHONE-3"]),
        ({"q": "c", "status": "Accepted", "type": "ISO14443"}, ["CARD-1"]),
    ],
)
def test_the_list_searches_and_filters(client, operator, params, expected):
    IdTokenFactory(id_token="CARD-1")
    IdTokenFactory(id_token="CARD-2", label="Depot", status=Status.BLOCKED)
    IdTokenFactory(id_token="PHONE-3", type=IdToken.Type.CENTRAL)
    IdTokenFactory(id_token="BUS-9", type=IdToken.Type.ISO15693)
    response = signed_in(client, operator).get(reverse("operator:token_list"), params)
    assert [t.id_token for t in response.context["page_obj"].object_list] == expected


def test_the_list_costs_the_same_queries_for_3_or_50_tokens(
    client, operator, django_assert_max_num_queries
):
    client = signed_in(client, operator)
    for _ in range(3):
        IdTokenFactory(user=UserFactory())
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("operator:token_list"))
    for _ in range(47):
        IdTokenFactory(user=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("operator:token_list"))
    assert len(response.context["page_obj"].object_list) == 50


# --- creating --------------------------------------------------------------------------------


def test_an_operator_adds_a_token_and_it_is_audited(client, operator, driver):
    expiry = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    response = signed_in(client, operator).post(
        reverse("operator:token_create"),
        new_token(
            expires_at=expiry.strftime("%Y-%m-%dT%H:%M"),
            group_id_token="FLEET",
            owner="driver",
            type=IdToken.Type.EMAID,
        ),
    )
    token = IdToken.objects.get(id_token="NEW-CARD-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("operator:token_detail", args=[token.pk])
    assert (token.type, token.label, token.status) == ("eMAID", "Van 7", "Accepted")
    assert (token.expires_at, token.group_id_token, token.user) == (expiry, "FLEET", driver)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id) == (
        "accounts.id_token.create",
        operator,
        str(token.pk),
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"expires_at": "2020-01-01T10:00"}, "expires_at", EXPIRY_IN_PAST),
        ({"expires_at": "tomorrow"}, "expires_at", "Enter a valid date/time."),
        ({"id_token": "TAKEN"}, "id_token", TOKEN_EXISTS),
        ({"group_id_token": "NEW-CARD-1"}, "group_id_token", GROUP_IS_SELF),
        ({"owner": "nobody-here"}, "owner", NO_SUCH_USER),
        ({"id_token": "  "}, "id_token", "This field is required."),
    ],
)
def test_a_bad_token_is_refused_with_the_error_next_to_its_field(
    client, operator, fields, field, message
):
    IdTokenFactory(id_token="TAKEN")
    response = signed_in(client, operator).post(
        reverse("operator:token_create"), new_token(**fields)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [str(message)]}
    assert IdToken.objects.count() == 1
    assert actions() == []
    body = response.content.decode()
    assert f'<label for="id_{field}"' in body.split('<p class="error" role="alert">')[0]


def test_a_viewer_may_not_add_tokens(client, viewer):
    client = signed_in(client, viewer)
    assert client.get(reverse("operator:token_create")).status_code == 403
    assert client.post(reverse("operator:token_create"), new_token()).status_code == 403
    assert not IdToken.objects.filter(id_token="NEW-CARD-1").exists()


# --- blocking, unblocking, expiry --------------------------------------------------------------


def test_an_operator_blocks_and_unblocks_each_once_audited(client, operator):
    token = IdTokenFactory(id_token="CARD-1")
    client = signed_in(client, operator)
    block, unblock = (reverse(f"operator:token_{a}", args=[token.pk]) for a in ("block", "unblock"))

    response = client.post(block, {"next": "/tokens/?q=card"})
    assert response.status_code == 302 and response["Location"] == "/tokens/?q=card"
    client.post(block)
    token.refresh_from_db()
    assert token.status == Status.BLOCKED

    client.post(unblock)
    client.post(unblock)
    token.refresh_from_db()
    assert token.status == Status.ACCEPTED
    assert actions() == ["accounts.id_token.block", "accounts.id_token.unblock"]


def test_unblocking_leaves_an_expired_or_invalid_token_as_it_is(client, operator):
    token = IdTokenFactory(status=Status.INVALID)
    signed_in(client, operator).post(reverse("operator:token_unblock", args=[token.pk]))
    token.refresh_from_db()
    assert token.status == Status.INVALID
    assert actions() == []


def test_blocking_from_the_list_swaps_the_row_in_place(client, operator):
    token = IdTokenFactory(id_token="CARD-1")
    response = signed_in(client, operator).post(
        reverse("operator:token_block", args=[token.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="token-{token.pk}">')
    assert 'data-testid="token-status">Blocked<' in body
    assert reverse("operator:token_unblock", args=[token.pk]) in body


def test_an_offsite_redirect_after_blocking_is_ignored(client, operator):
    token = IdTokenFactory()
    response = signed_in(client, operator).post(
        reverse("operator:token_block", args=[token.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("operator:token_detail", args=[token.pk])


@pytest.mark.parametrize("name", ["token_block", "token_unblock", "token_expiry"])
def test_a_viewer_may_not_change_a_token(client, viewer, name):
    token = IdTokenFactory(status=Status.BLOCKED)
    response = signed_in(client, viewer).post(
        reverse(f"operator:{name}", args=[token.pk]), {"expires_at": ""}
    )
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.status == Status.BLOCKED
    assert actions() == []


def test_block_and_unblock_take_post_only(client, operator):
    token = IdTokenFactory()
    response = signed_in(client, operator).get(reverse("operator:token_block", args=[token.pk]))
    assert response.status_code == 405


def test_an_operator_sets_and_clears_the_expiry(client, operator):
    token = IdTokenFactory()
    url = reverse("operator:token_expiry", args=[token.pk])
    client = signed_in(client, operator)
    expiry = datetime(2099, 5, 1, 8, 30, tzinfo=UTC)
    assert client.post(url, {"expires_at": "2099-05-01T08:30"}).status_code == 302
    token.refresh_from_db()
    assert token.expires_at == expiry
    client.post(url, {"expires_at": ""})
    token.refresh_from_db()
    assert token.expires_at is None
    assert actions() == ["accounts.id_token.expiry", "accounts.id_token.expiry"]
    assert AuditEvent.objects.order_by("pk").first().data == {
        "from": None,
        "to": expiry.isoformat(),
    }


def test_an_expiry_in_the_past_is_refused_next_to_the_field(client, operator):
    token = IdTokenFactory()
    response = signed_in(client, operator).post(
        reverse("operator:token_expiry", args=[token.pk]), {"expires_at": "2020-01-01T00:00"}
    )
    assert response.status_code == 400
    assert response.context["expiry_form"].errors == {"expires_at": [str(EXPIRY_IN_PAST)]}
    token.refresh_from_db()
    assert token.expires_at is None
    assert actions() == []


def test_an_unknown_token_is_not_found(client, operator):
    assert (
        signed_in(client, operator).get(reverse("operator:token_detail", args=[999])).status_code
        == 404
    )


def test_an_accepted_token_past_its_expiry_is_marked_expired(client, viewer):
    IdTokenFactory(id_token="OLD-CARD", expires_at=timezone.now() - timedelta(days=1))
    IdTokenFactory(id_token="NEW-CARD", expires_at=timezone.now() + timedelta(days=1))
    body = signed_in(client, viewer).get(reverse("operator:token_list")).content.decode()
    assert body.count('class="badge Expired"') == 1
    assert body.index("NEW-CARD") < body.index('class="badge Expired"')


def test_the_detail_links_to_the_sessions_of_the_token(client, viewer):
    token = IdTokenFactory(id_token="CARD 1&2")
    body = signed_in(client, viewer).get(reverse("operator:token_detail", args=[token.pk]))
    assert "/sessions/?id_token=CARD%201%262" in body.content.decode()
