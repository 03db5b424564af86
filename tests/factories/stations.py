from __future__ import annotations

import factory

from stations.models import Site, Station
from stations.services.security import station_auth

STATION_PASSWORD = "correct-horse-battery-staple-42"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")


class StationFactory(factory.django.DjangoModelFactory):
    """A registered, accepted profile-1 station whose password is STATION_PASSWORD."""

    class Meta:
        model = Station

    identity = factory.Sequence(lambda n: f"CP-{n:04d}")
    site = factory.SubFactory(SiteFactory)
    security_profile = Station.SecurityProfile.BASIC
    password_hash = factory.LazyFunction(lambda: station_auth.hash_password(STATION_PASSWORD))
