"""Which pages may open the live socket: this site's own, by host and port (issue 11)."""

from __future__ import annotations

import pytest

from backoffice.live.origin import is_same_origin


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("https://cs.example.org", "cs.example.org"),
        ("https://cs.example.org", "cs.example.org:443"),
        ("http://CS.example.org", "cs.example.org"),
        ("https://cs.example.org:8443", "cs.example.org:8443"),
    ],
)
def test_a_page_of_this_site_may_open_it(origin, host):
    assert is_same_origin(origin=origin, host=host)


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:9999", "127.0.0.1:8000"),  # another program on the same machine
        ("http://127.0.0.1", "127.0.0.1:8000"),
        ("https://cs.example.org", "cs.example.org:80"),
        ("http://evil.example", "cs.example.org"),
        ("null", "cs.example.org"),
        ("", "cs.example.org"),
        ("http://127.0.0.1:8000", ""),
        ("http://127.0.0.1:99999999", "127.0.0.1:99999999"),
        ("file://127.0.0.1:8000", "127.0.0.1:8000"),
    ],
)
def test_another_origin_may_not(origin, host):
    assert not is_same_origin(origin=origin, host=host)


def test_an_origin_trusted_by_the_settings_may(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://ops.example.org"]
    assert is_same_origin(origin="https://ops.example.org", host="backend:8000")
    assert not is_same_origin(origin="https://ops.example.org:444", host="backend:8000")
