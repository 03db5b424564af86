"""One validator for every station password set by hand: OCPP's length and characters, and
nothing guessable (the hash is fast on purpose)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from stations.services.security import station_auth, station_passwords


def reasons(password: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        station_passwords.validate(password)
    return refused.value.messages


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        pytest.param("aaaaaaaaaaaaaaaa", station_passwords.REPEATS, id="one character"),
        pytest.param("abcdefghijklmnop", station_passwords.REPEATS, id="a sequence"),
        pytest.param("qwPo9876zxLmTr5E", station_passwords.REPEATS, id="a descending run"),
        pytest.param("xK9-xK9-xK9-xK9-xK9", station_passwords.REPEATS, id="a repeated pattern"),
        pytest.param("Tr0ub4dor&3Zq7Lw", station_passwords.BAD_CHARACTERS, id="'&' is not OCPP's"),
        pytest.param("p@ss wordQ7zK2mX", station_passwords.BAD_CHARACTERS, id="a space"),
        pytest.param("q7Rm2xK9vT4pZ8w", station_passwords.TOO_SHORT, id="15 characters"),
        pytest.param("q7Rm2xK9vT4pZ8wN" * 3, station_passwords.TOO_LONG, id="48 characters"),
        pytest.param("Qz7-sunshine-Lw4K", station_passwords.COMMON, id="a common password inside"),
        pytest.param("kqtrmxvtpzwnbhjg", station_passwords.TOO_PREDICTABLE, id="lower case only"),
        pytest.param("q7q7R7R7q7R7m7m7", station_passwords.TOO_PREDICTABLE, id="few characters"),
    ],
)
def test_a_guessable_or_non_ocpp_password_is_refused_with_its_reason(password, reason):
    assert str(reason) in reasons(password)


@pytest.mark.parametrize(
    "password",
    ["q7Rm2xK9vT4pZ8wN", "kV3x-9qTz_R7mwP2@LbN", "s8d7f6g5h4j3k2l1q9w8e7r6t5y4u3i2o1p0zXcV"[:40]],
)
def test_a_random_mix_is_accepted(password):
    station_passwords.validate(password)


def test_every_generated_password_is_accepted():
    for _ in range(500):
        station_passwords.validate(station_auth.generate_password())
