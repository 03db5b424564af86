"""Register the bench stations (security profile 1, one shared password) and their id tokens.

Run with DATABASE_URL pointing at the bench database (bench/run.py does this):
    .venv/bin/python bench/seed_backoffice.py --stations 1000 --password <password>
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seed(stations: int, password: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    import django

    django.setup()

    from loadgen import station_id_tag, station_identity

    from backoffice.accounts.models import IdToken
    from stations.models import Station
    from stations.services.security.station_auth import hash_password

    password_hash = hash_password(password)
    numbers = range(1, stations + 1)
    Station.objects.bulk_create(
        [
            Station(
                identity=station_identity(n),
                security_profile=Station.SecurityProfile.BASIC,
                password_hash=password_hash,
                registration_status=Station.Registration.ACCEPTED,
            )
            for n in numbers
        ],
        batch_size=1000,
    )
    IdToken.objects.bulk_create(
        [IdToken(id_token=station_id_tag(n), label="bench") for n in numbers], batch_size=1000
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    seed(args.stations, args.password)


if __name__ == "__main__":
    main()
