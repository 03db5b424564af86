"""stations.services.station_auth without a server: passwords, admission and the rate limit."""

from __future__ import annotations

import sys
import threading
import time

import pytest
from django.contrib.auth.hashers import make_password

from stations.models import Station
from stations.services import station_auth
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth


@pytest.fixture(autouse=True)
def fresh_limiter():
    station_auth._limiter.reset()
    yield
    station_auth._limiter.reset()


def authenticate(identity: str, password: str | None, remote_addr: str = "10.0.0.1"):
    header = basic_auth(identity, password)["Authorization"] if password is not None else None
    return station_auth.authenticate(
        identity=identity, authorization=header, secure=False, remote_addr=remote_addr
    )


def test_a_hashed_password_checks_and_a_wrong_one_does_not():
    encoded = station_auth.hash_password(STATION_PASSWORD)
    assert STATION_PASSWORD not in encoded
    assert station_auth.check_password(STATION_PASSWORD, encoded)
    assert not station_auth.check_password(STATION_PASSWORD + "x", encoded)
    assert not station_auth.check_password("", encoded)


def test_the_same_password_hashes_differently_each_time():
    assert station_auth.hash_password(STATION_PASSWORD) != station_auth.hash_password(
        STATION_PASSWORD
    )


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param("", id="empty"),
        pytest.param("not-a-hash", id="not a hash"),
        pytest.param("md5$salt$digest", id="another algorithm"),
        pytest.param(make_password(STATION_PASSWORD, hasher="md5"), id="a Django user hash"),
    ],
)
def test_a_malformed_or_foreign_hash_never_matches(encoded):
    assert not station_auth.check_password(STATION_PASSWORD, encoded)


def test_generated_passwords_are_16_to_40_chars_and_differ():
    passwords = {station_auth.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(16 <= len(password) <= 40 for password in passwords)
    assert all(":" not in password for password in passwords)


def test_checking_a_wrong_password_costs_microseconds_not_a_slow_hash():
    encoded = station_auth.hash_password(STATION_PASSWORD)
    started = time.perf_counter()
    for _ in range(1000):
        station_auth.check_password("wrong-password-but-long", encoded)
    assert time.perf_counter() - started < 0.1


def test_the_right_credentials_admit_the_station(db):
    station = StationFactory()
    admission = authenticate(station.identity, STATION_PASSWORD)
    assert admission.admitted
    assert admission.station_id == station.pk
    assert admission.registration_status == Station.Registration.ACCEPTED


def test_failures_beyond_the_limit_block_even_the_right_password(db, settings):
    settings.OCPP_AUTH_FAILURES_PER_MINUTE = 3
    station = StationFactory()
    for _ in range(3):
        assert authenticate(station.identity, "wrong-password-but-long").reason == "wrong password"
    blocked = authenticate(station.identity, STATION_PASSWORD, remote_addr="10.0.0.2")
    assert not blocked.admitted
    assert blocked.reason == "too many failed attempts"


def test_failures_below_the_limit_do_not_block(db, settings):
    settings.OCPP_AUTH_FAILURES_PER_MINUTE = 3
    station = StationFactory()
    for _ in range(2):
        assert not authenticate(station.identity, "wrong-password-but-long").admitted
    assert authenticate(station.identity, STATION_PASSWORD).admitted


def test_failures_from_one_address_block_that_address_only(db, settings):
    settings.OCPP_AUTH_FAILURES_PER_MINUTE = 3
    station = StationFactory()
    for n in range(3):
        assert not authenticate(f"CP-UNKNOWN-{n}", STATION_PASSWORD, "10.0.0.9").admitted
    assert authenticate(station.identity, STATION_PASSWORD, "10.0.0.9").reason == (
        "too many failed attempts"
    )
    assert authenticate(station.identity, STATION_PASSWORD, "10.0.0.10").admitted


def test_failures_older_than_a_minute_no_longer_count(db, settings, monkeypatch):
    settings.OCPP_AUTH_FAILURES_PER_MINUTE = 3
    station = StationFactory()
    now = time.monotonic()
    monkeypatch.setattr(station_auth.time, "monotonic", lambda: now)
    for _ in range(3):
        authenticate(station.identity, "wrong-password-but-long")
    assert not authenticate(station.identity, STATION_PASSWORD).admitted
    monkeypatch.setattr(station_auth.time, "monotonic", lambda: now + 61)
    assert authenticate(station.identity, STATION_PASSWORD).admitted


@pytest.mark.parametrize("identity", ["", "CP:1", "C" * 49])
def test_an_invalid_station_id_is_refused_before_any_lookup(
    db, settings, identity, django_assert_num_queries
):
    settings.OCPP_ALLOW_UNKNOWN_STATIONS = True
    with django_assert_num_queries(0):
        admission = authenticate(identity, STATION_PASSWORD)
    assert admission.reason == "invalid station id"


def test_an_unknown_station_is_created_pending_only_when_allowed(db, settings):
    assert authenticate("CP-NEW", None).reason == "unknown station"
    assert not Station.objects.filter(identity="CP-NEW").exists()
    settings.OCPP_ALLOW_UNKNOWN_STATIONS = True
    admission = authenticate("CP-NEW", None)
    station = Station.objects.get(identity="CP-NEW")
    assert admission.station_id == station.pk
    assert admission.registration_status == Station.Registration.PENDING
    assert station.auto_registered


def test_the_limit_holds_up_to_threads_checking_and_failing_at_once(settings, monkeypatch):
    # A storm from one address: the database threads check and record failures at once, while
    # windows empty out (here each reading of the clock is a minute later, so they always do).
    settings.OCPP_AUTH_FAILURES_PER_MINUTE = 1_000_000
    clock = iter(range(0, 10**9, 61))
    monkeypatch.setattr(station_auth.time, "monotonic", lambda: next(clock))
    errors: list[BaseException] = []

    def storm(n: int) -> None:
        try:
            for _ in range(3000):
                station_auth._limiter.failed(f"CP-{n}", "10.0.0.9")
                station_auth._limiter.blocked(f"CP-{n}", "10.0.0.9")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=storm, args=(n,)) for n in range(8)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show at once
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
