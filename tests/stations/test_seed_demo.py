"""`manage.py seed_demo` (run by `make run`): the logins it prints work, and it can run again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from backoffice.accounts.models import IdToken
from stations.management.commands import seed_demo
from stations.models import Station

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--base-url", "127.0.0.1:8000", stdout=out)
    return out.getvalue()


def sign_in(client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_the_printed_driver_login_reaches_the_portal(client):
    printed = seed()
    assert seed_demo.DEMO_DRIVER_EMAIL in printed and seed_demo.DEMO_DRIVER_PASSWORD in printed
    response = sign_in(client, seed_demo.DEMO_DRIVER_EMAIL, seed_demo.DEMO_DRIVER_PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("portal:home")
    card = IdToken.objects.get(id_token=seed_demo.DEMO_DRIVER_TOKEN)
    assert card.user.email == seed_demo.DEMO_DRIVER_EMAIL


def test_the_printed_operator_login_reaches_the_dashboard(client):
    seed()
    response = sign_in(client, seed_demo.DEMO_USERNAME, seed_demo.DEMO_PASSWORD)
    assert client.get(response["Location"])["Location"] == reverse("operator:dashboard")


def test_seeding_twice_keeps_one_of_each_and_prints_fresh_station_passwords():
    first, second = seed(), seed()
    assert Station.objects.filter(identity__in=seed_demo.DEMO_STATIONS).count() == 2
    assert IdToken.objects.filter(id_token=seed_demo.DEMO_DRIVER_TOKEN).count() == 1
    assert first != second
