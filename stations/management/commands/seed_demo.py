"""Create the demo operator and driver logins, a demo site and two registered stations
(idempotent)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from backoffice.accounts.models import DriverProfile, IdToken
from stations.models import Site, Station
from stations.services.security import station_auth

DEMO_USERNAME = "operator"
DEMO_PASSWORD = "operator-demo-password"  # noqa: S105 - printed for the quick start
DEMO_STATIONS = ("DEMO-CP-1", "DEMO-CP-2")
DEMO_TOKEN = "DEMO-TAG-1"  # noqa: S105 - an RFID id, not a secret
DEMO_DRIVER_EMAIL = "driver@example.com"
DEMO_DRIVER_PASSWORD = "driver-demo-password"  # noqa: S105 - printed for the quick start
DEMO_DRIVER_TOKEN = "DEMO-TAG-2"  # noqa: S105 - an RFID id, not a secret


class Command(BaseCommand):
    help = "Create a demo operator, site, two stations and an id token; print how to use them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        site, _ = Site.objects.get_or_create(
            name="Demo site", defaults={"address": "Demo street 1"}
        )
        IdToken.objects.get_or_create(id_token=DEMO_TOKEN, defaults={"label": "Demo card"})
        self._driver(user_model)
        lines = []
        for identity in DEMO_STATIONS:
            station = Station.objects.filter(identity=identity).first()
            password = station_auth.generate_password()
            if station is None:
                Station.objects.create(
                    identity=identity,
                    name=f"Demo station {identity[-1]}",
                    site=site,
                    security_profile=Station.SecurityProfile.BASIC,
                    password_hash=station_auth.hash_password(password),
                )
            else:
                # Passwords are stored hashed: show a fresh one each time the demo is seeded.
                station.password_hash = station_auth.hash_password(password)
                station.save(update_fields=["password_hash"])
            lines.append(
                f"  ws://{options['base_url']}/ocpp/{identity}  "
                f"(subprotocol ocpp1.6, Basic auth {identity} / {password})"
            )
        base = options["base_url"]
        self.stdout.write(
            f"Operator pages: http://{base}/ (Django admin: /admin/)  user {DEMO_USERNAME!r}"
            f" password {DEMO_PASSWORD!r}\n"
            f"Driver portal: http://{base}/portal/  email {DEMO_DRIVER_EMAIL!r} password"
            f" {DEMO_DRIVER_PASSWORD!r} (card {DEMO_DRIVER_TOKEN}; a connector's start link:"
            f" http://{base}/portal/start/{DEMO_STATIONS[0]}/1/1/)\n"
            f"Demo id token: {DEMO_TOKEN}\nStations:\n" + "\n".join(lines)
        )

    @staticmethod
    def _driver(user_model: Any) -> None:
        """A signed-up driver with a verified email address and one card of their own."""
        driver, created = user_model.objects.get_or_create(
            username="demo-driver", defaults={"email": DEMO_DRIVER_EMAIL}
        )
        if created:
            driver.set_password(DEMO_DRIVER_PASSWORD)
            driver.save()
        EmailAddress.objects.get_or_create(
            user=driver, email=DEMO_DRIVER_EMAIL, defaults={"verified": True, "primary": True}
        )
        DriverProfile.objects.get_or_create(user=driver)
        IdToken.objects.get_or_create(
            id_token=DEMO_DRIVER_TOKEN, defaults={"label": "My card", "user": driver}
        )
