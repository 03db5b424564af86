"""stations.services.security.station_auth without a server: passwords, admission, failed logins."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.hashers import make_password

from stations.models import Station
from stations.services.security import login_throttle, station_auth
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth

WRONG = "wrong-password-but-long"


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


def test_failures_on_a_station_id_never_refuse_its_right_password(db, settings):
    # Station ids are public: anyone may fail on one, from anywhere, as often as they like.
    settings.OCPP_AUTH_FREE_FAILURES = 3
    station = StationFactory()
    for n in range(20):
        assert not authenticate(station.identity, WRONG, f"10.0.1.{n % 4}").admitted
    for address in ("10.0.1.0", "10.0.9.9"):
        admission = authenticate(station.identity, STATION_PASSWORD, address)
        assert admission.admitted
        assert admission.delay == 0


def test_an_address_past_its_free_failures_waits_longer_for_each_refusal(db, settings):
    settings.OCPP_AUTH_FREE_FAILURES = 2
    settings.OCPP_AUTH_BACKOFF_MAX_SECONDS = 5
    station = StationFactory()
    delays = [authenticate(station.identity, WRONG).delay for _ in range(7)]
    assert delays == [0, 0, 1, 2, 4, 5, 5]
    assert login_throttle.failures(address="10.0.0.1") == 7


def test_the_failures_of_one_address_do_not_delay_another(db, settings):
    # Stations behind one NAT share an address: a neighbour's failures cost only that address.
    settings.OCPP_AUTH_FREE_FAILURES = 1
    station = StationFactory()
    for _ in range(3):
        authenticate(station.identity, WRONG, "10.0.0.9")
    refused = authenticate(station.identity, WRONG, "10.0.0.10")
    assert refused.reason == "wrong password"
    assert refused.delay == 0


def test_the_addresses_of_one_ipv6_network_count_together(db, settings):
    # A subscriber's /64 holds 2**64 addresses: each must not start from zero.
    settings.OCPP_AUTH_FREE_FAILURES = 2
    station = StationFactory()
    delays = [authenticate(station.identity, WRONG, f"2001:db8:7:7::{n}").delay for n in range(4)]
    assert delays == [0, 0, 1, 2]
    assert authenticate(station.identity, WRONG, "2001:db8:7:8::1").delay == 0


def test_every_kind_of_refusal_counts_against_the_address(db, settings):
    settings.OCPP_AUTH_FREE_FAILURES = 0
    station = StationFactory()
    refusals = [
        authenticate("CP-UNKNOWN", STATION_PASSWORD),
        authenticate(station.identity, None),
        authenticate("CP:1", STATION_PASSWORD),
        authenticate(station.identity, WRONG),
    ]
    assert [admission.delay for admission in refusals] == [1, 2, 4, 8]


def test_an_address_s_failures_are_forgotten_after_the_window(db, settings):
    settings.OCPP_AUTH_FREE_FAILURES = 1
    settings.OCPP_AUTH_FAILURE_WINDOW_SECONDS = 1
    station = StationFactory()
    authenticate(station.identity, WRONG)
    assert authenticate(station.identity, WRONG).delay == 1
    time.sleep(1.2)
    assert authenticate(station.identity, WRONG).delay == 0


def test_failures_counted_by_many_threads_at_once_are_all_counted(settings):
    # The OCPP database threads of every process count into one store, atomically.
    settings.OCPP_AUTH_FREE_FAILURES = 1_000_000

    def fail(_: int) -> None:
        for _ in range(50):
            login_throttle.record_failure(address="10.0.0.7")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fail, range(8)))
    assert login_throttle.failures(address="10.0.0.7") == 400


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
